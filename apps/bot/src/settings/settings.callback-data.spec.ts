import {
  decodeSettingsCallback,
  encodeSettingsCallback,
  SettingsChange,
} from './settings.callback-data';

describe('settings callback data', () => {
  const changes: SettingsChange[] = [
    { setting: 'announcements', on: true },
    { setting: 'announcements', on: false },
    { setting: 'reminders', on: true },
    { setting: 'reminders', on: false },
    { setting: 'language', language: 'ru' },
    { setting: 'language', language: 'en' },
  ];

  it('round-trips every change within Telegram’s 64 bytes', () => {
    for (const change of changes) {
      const data = encodeSettingsCallback(change);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(decodeSettingsCallback(data)).toEqual(change);
    }
  });

  it('refuses what it did not make', () => {
    for (const data of ['st:a:2', 'st:l:de', 'st:r:en', 'ev:j:x', 'st:a:1:extra']) {
      expect(decodeSettingsCallback(data)).toBeUndefined();
    }
  });
});
