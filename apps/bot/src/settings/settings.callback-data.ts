import type { Language } from '../i18n/i18n';

/**
 * Inline-button payloads of /settings: `st:a:1` (announcements on), `st:r:0` (reminders off),
 * `st:l:en` (language). Each button sets a value rather than toggling one, so a double press or an
 * older message's button does what it says. At most 7 bytes (Telegram allows 64).
 *
 * WIRE NAMES: buttons already sent stay in chats; never reuse or rename a code.
 */
export const SETTINGS_CALLBACK_PREFIX = 'st:';

export type SettingsChange =
  | { setting: 'announcements'; on: boolean }
  | { setting: 'reminders'; on: boolean }
  | { setting: 'language'; language: Language };

export function encodeSettingsCallback(change: SettingsChange): string {
  switch (change.setting) {
    case 'announcements':
      return `${SETTINGS_CALLBACK_PREFIX}a:${change.on ? 1 : 0}`;
    case 'reminders':
      return `${SETTINGS_CALLBACK_PREFIX}r:${change.on ? 1 : 0}`;
    case 'language':
      return `${SETTINGS_CALLBACK_PREFIX}l:${change.language}`;
  }
}

export function decodeSettingsCallback(data: string): SettingsChange | undefined {
  const match = /^st:([arl]):(0|1|ru|en)$/.exec(data);
  if (!match) return undefined;
  const [, code, value] = match;
  if (code === 'l')
    return value === 'ru' || value === 'en' ? { setting: 'language', language: value } : undefined;
  if (value !== '0' && value !== '1') return undefined;
  return { setting: code === 'a' ? 'announcements' : 'reminders', on: value === '1' };
}
