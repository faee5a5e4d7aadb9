import type { NotificationTarget } from '@up/contracts';
import { CATALOGUES } from '../i18n/i18n';
import { factsIn, mayTell, NotificationKind, outgoing } from './notifications.format';

const target = (overrides: Partial<NotificationTarget> = {}): NotificationTarget => ({
  member_id: 'm1',
  telegram_id: '12345',
  language: 'en',
  announcements: true,
  reminders: true,
  reachable: true,
  ...overrides,
});

describe('notifications format', () => {
  it('tells only reachable members with a chat; announcements and reminders only with consent', () => {
    const kinds = Object.values(NotificationKind);
    for (const kind of kinds) {
      expect(mayTell(target(), kind)).toBe(true);
      expect(mayTell(target({ telegram_id: null }), kind)).toBe(false);
      expect(mayTell(target({ reachable: false }), kind)).toBe(false);
    }
    const optedOut = target({ announcements: false, reminders: false });
    expect(kinds.filter((kind) => !mayTell(optedOut, kind)).sort()).toEqual([
      NotificationKind.ANNOUNCEMENT,
      NotificationKind.REMINDER,
    ]);
  });

  it('names the event and its time in the event’s time zone, escaped, in the member’s language', () => {
    const facts = {
      title: 'Tea & <games>',
      startDate: '2030-01-05T16:00:00Z',
      timezone: 'Asia/Tokyo',
      location: null,
    };
    const en = factsIn(facts, 'en');
    expect(en.title).toBe('Tea &amp; &lt;games&gt;');
    expect(en.when).toContain('01:00');
    expect(en.when).toContain('GMT+9');
    expect(en.place).toBe(CATALOGUES.en.events.noPlace);
    expect(factsIn(facts, 'ru').when).toContain('января');
  });

  it('puts everything but announcements in the priority lane', () => {
    const message = (kind: NotificationKind) =>
      outgoing({ key: 'k', target: target(), kind, text: 'x' });
    expect(message(NotificationKind.ANNOUNCEMENT).priority).toBeUndefined();
    expect(message(NotificationKind.JOINED)).toMatchObject({
      chatId: '12345',
      memberId: 'm1',
      parseMode: 'HTML',
      priority: true,
    });
  });
});
