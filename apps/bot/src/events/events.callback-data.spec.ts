import { randomUUID } from 'node:crypto';
import {
  decodeEventsCallback,
  encodeEventsCallback,
  EventAction,
  EventsCallback,
} from './events.callback-data';

describe('events callback data', () => {
  const eventId = randomUUID();

  it.each<EventsCallback>([
    { kind: 'join', eventId, offset: 0 },
    { kind: 'leave', eventId, offset: 5 },
    { kind: 'more', eventId, offset: 12345 },
    { kind: 'joinWaitlist', eventId, offset: 0 },
    { kind: 'leaveWaitlist', eventId, offset: 10 },
    { kind: 'page', offset: 0 },
    { kind: 'page', offset: 995 },
  ])('round-trips %o within Telegram’s 64 bytes', (callback) => {
    const data = encodeEventsCallback(callback);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(decodeEventsCallback(data)).toEqual(callback);
  });

  it.each<EventAction>(['join', 'leave', 'more', 'joinWaitlist', 'leaveWaitlist'])(
    'keeps the longest %s payload well under the limit',
    (kind) => {
      const data = encodeEventsCallback({
        kind,
        eventId: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
        offset: 2 ** 31,
      });
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(40);
    },
  );

  it.each([
    '',
    'ev:',
    'ev:x:abc:0',
    'ev:j:short:0',
    'ev:p:',
    'ev:p:-1',
    'other:j:abc',
    `ev:j:${'A'.repeat(22)}`,
  ])('refuses %p', (data) => {
    expect(decodeEventsCallback(data)).toBeUndefined();
  });

  it('refuses an id that is not a UUID when encoding', () => {
    expect(() => encodeEventsCallback({ kind: 'join', eventId: 'nope', offset: 0 })).toThrow(
      'Not a UUID',
    );
  });
});
