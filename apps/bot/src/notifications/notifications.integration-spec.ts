import { randomUUID } from 'node:crypto';
import {
  BOT,
  BroadcastView,
  EVENT_EVENTS,
  EventView,
  EVENTS,
  MemberRole,
  NotificationLanguage,
  USERS,
} from '@up/contracts';
import {
  ClubFactory,
  ClubMember,
  FakeTelegramBotApi,
  inDays,
  Platform,
  RecordedCall,
  startPlatform,
  telegramUser,
  TelegramMessage,
  TelegramTestUser,
} from '@up/testing';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { ProfileCache } from '../members/profile-cache';
import { encodeSettingsCallback } from '../settings/settings.callback-data';

/**
 * Notifications end to end: the real users and events services (two events replicas, reminders at
 * an offset of seconds) publish their bus events, two bot replicas consume them and the fake Bot
 * API receives what members are told. Also the profile cache and /settings.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Person {
  user: TelegramTestUser;
  member: ClubMember;
}

describe('bot notifications', () => {
  let platform: Platform;
  let telegram: FakeTelegramBotApi;
  let club: ClubFactory;
  let organizer: ClubMember;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['users', 'events', 'bot'],
      replicas: { events: 2, bot: 2 },
      env: ClubFactory.env,
      appEnv: {
        events: { EVENT_REMINDER_OFFSETS: '2s', EVENT_REMINDER_INTERVAL_MS: '200' },
        // Every event created here is announced to every member: keep the queue quick.
        bot: { TELEGRAM_SEND_RATE: '200' },
      },
      telegram: {},
    });
    telegram = platform.telegram;
    club = new ClubFactory(platform);
    organizer = await club.member({ role: MemberRole.ORGANIZER });
  }, 60_000);

  afterAll(() => platform?.close());

  /** A member with a Telegram chat the bot may write to, in `language`, with coins. */
  async function person(
    options: {
      language?: NotificationLanguage;
      coins?: number;
      announcements?: boolean;
      reminders?: boolean;
    } = {},
  ): Promise<Person> {
    const user = telegramUser({ language_code: options.language ?? 'ru' });
    telegram.openChats([user]);
    const member = await club.member({ telegram: user, coins: options.coins });
    if (options.announcements !== undefined || options.reminders !== undefined) {
      await platform.bus.send(USERS.UPDATE_NOTIFICATION_SETTINGS, {
        member_id: member.id,
        ...(options.announcements !== undefined ? { announcements: options.announcements } : {}),
        ...(options.reminders !== undefined ? { reminders: options.reminders } : {}),
      });
    }
    return { user, member };
  }

  function event(overrides: Parameters<ClubFactory['event']>[0] = {}): Promise<EventView> {
    return club.event({ title: `Evening ${randomUUID().slice(0, 8)}`, ...overrides }, organizer);
  }

  const isSendTo = (user: TelegramTestUser, call: RecordedCall) =>
    call.method === 'sendMessage' && Number(call.params.chat_id) === user.id && !call.error;

  /** The texts the bot sent to the member's chat, oldest first. */
  function textsTo(user: TelegramTestUser, pattern?: RegExp): string[] {
    return telegram.calls
      .filter((call) => isSendTo(user, call))
      .map((call) => String(call.params.text))
      .filter((text) => pattern === undefined || pattern.test(text));
  }

  async function told(user: TelegramTestUser, pattern: RegExp): Promise<string> {
    const call = await telegram.waitForCall(
      'sendMessage',
      (c) => isSendTo(user, c) && pattern.test(String(c.params.text)),
      { since: 0, timeoutMs: 10_000 },
    );
    return String(call.params.text);
  }

  /**
   * Waits until everything enqueued before now for the member has gone out: a later message to the
   * same chat (the queue sends a chat's messages in order) has arrived.
   */
  async function settled(person: Person): Promise<void> {
    const marker = `marker ${randomUUID()}`;
    await platform
      .app('bot')
      .get(DeliveryQueue)
      .enqueue([
        {
          key: marker,
          chatId: String(person.user.id),
          kind: 'test',
          text: marker,
          priority: true,
        },
      ]);
    await told(person.user, new RegExp(marker));
  }

  it('tells a member who joined, in their language, with the event, its time and the new balance; and who left, with the refund', async () => {
    const english = await person({ language: 'en', coins: 50 });
    const russian = await person({ language: 'ru', coins: 50 });
    const night = await event({ price: 10, timezone: 'Asia/Tokyo', start_date: inDays(3) });

    await platform.bus.send(EVENTS.JOIN, { event_id: night.id, member_id: english.member.id });
    await platform.bus.send(EVENTS.JOIN, { event_id: night.id, member_id: russian.member.id });
    const en = await told(english.user, /You are in/);
    expect(en).toContain(night.title);
    expect(en).toContain('GMT+9');
    expect(en).toContain('Your balance: 40 UP.');
    expect(await told(russian.user, /Вы записаны/)).toContain('Ваш баланс: 40 UP.');

    await platform.bus.send(EVENTS.LEAVE, { event_id: night.id, member_id: english.member.id });
    expect(await told(english.user, /You left/)).toMatch(/Refunded: 10 UP\. Your balance: 50 UP\./);

    await settled(english);
    expect(textsTo(english.user, /You are in/)).toHaveLength(1);
    expect(textsTo(english.user, /You left/)).toHaveLength(1);
  });

  it('tells the waitlist: a seat taken (once, not also as a join) or skipped for want of coins', async () => {
    const seated = await person({ coins: 10 });
    const broke = await person({ language: 'en' });
    const next = await person({ language: 'en', coins: 10 });
    const full = await event({ price: 10, capacity: 1 });
    await platform.bus.send(EVENTS.JOIN, { event_id: full.id, member_id: seated.member.id });
    for (const waiting of [broke, next]) {
      await platform.bus.send(EVENTS.JOIN_WAITLIST, {
        event_id: full.id,
        member_id: waiting.member.id,
      });
    }

    await platform.bus.send(EVENTS.LEAVE, { event_id: full.id, member_id: seated.member.id });

    expect(await told(broke.user, /not have enough UP coins/)).toContain(full.title);
    expect(await told(next.user, /A seat freed up/)).toMatch(
      /Debited: 10 UP\. Your balance: 0 UP\./,
    );
    await settled(next);
    expect(textsTo(next.user, /A seat freed up|You are in/)).toHaveLength(1);
  });

  it('tells participants and the waitlist of a cancellation and of a new time and place', async () => {
    const participant = await person({ language: 'en', coins: 10 });
    const waiting = await person({ language: 'en' });
    const moved = await event({
      price: 10,
      capacity: 1,
      location: 'Old hall',
      timezone: 'Europe/Moscow',
    });
    await platform.bus.send(EVENTS.JOIN, { event_id: moved.id, member_id: participant.member.id });
    await platform.bus.send(EVENTS.JOIN_WAITLIST, {
      event_id: moved.id,
      member_id: waiting.member.id,
    });

    await platform.bus.send(EVENTS.UPDATE, {
      event_id: moved.id,
      actor_id: organizer.id,
      actor_role: organizer.role,
      start_date: inDays(8),
      location: 'New hall',
    });
    for (const member of [participant, waiting]) {
      const text = await told(member.user, /has changed/);
      expect(text).toContain('📍 Old hall → New hall');
      expect(text).toMatch(/🗓 .*GMT\+3 → .*GMT\+3/);
    }

    await platform.bus.send(EVENTS.DEACTIVATE, {
      event_id: moved.id,
      actor_id: organizer.id,
      actor_role: organizer.role,
    });
    expect(await told(participant.user, /is cancelled/)).toContain('UP coins are back');
    expect(await told(waiting.user, /is cancelled/)).toContain('nothing was charged');
  });

  it('reminds each participant with reminders on once, with two events and two bot replicas', async () => {
    const reminded = await person({ language: 'en', coins: 10 });
    const optedOut = await person({ language: 'en', coins: 10, reminders: false });
    const start = new Date(Date.now() + 5_000).toISOString();
    const soon = await event({ start_date: start, location: 'Roof' });
    for (const p of [reminded, optedOut]) {
      await platform.bus.send(EVENTS.JOIN, { event_id: soon.id, member_id: p.member.id });
    }

    expect(await told(reminded.user, /Reminder/)).toContain(soon.title);
    // Every sweep of both events replicas has passed the reminder's time by the start.
    await sleep(Math.max(0, Date.parse(start) - Date.now()) + 500);
    await settled(reminded);
    await settled(optedOut);
    expect(textsTo(reminded.user, /Reminder/)).toHaveLength(1);
    expect(textsTo(optedOut.user, /Reminder/)).toHaveLength(0);
  });

  it('announces a new active event to the members who did not opt out, as one broadcast', async () => {
    const listener = await person({ language: 'en' });
    const quiet = await person({ language: 'en', announcements: false });
    const inactive = await event({ is_active: false });
    const gala = await event({ location: 'Ballroom', price: 5 });

    expect(await told(listener.user, /New event/)).toMatch(/Ballroom[\s\S]*5 UP/);
    let broadcast: BroadcastView | undefined;
    for (let i = 0; i < 100 && !broadcast?.finished_at; i += 1) {
      const { broadcasts } = await platform.bus.send(BOT.LIST_BROADCASTS, { limit: 100 });
      broadcast = broadcasts.find((b) => b.event_id === gala.id);
      if (!broadcast?.finished_at) await sleep(100);
    }
    expect(broadcast).toMatchObject({ kind: 'announcement', title: gala.title, queued: 0 });
    expect(broadcast?.finished_at).not.toBeNull();
    await settled(quiet);
    expect(textsTo(quiet.user, /New event|Новое мероприятие/)).toHaveLength(0);
    expect(textsTo(listener.user, new RegExp(inactive.title))).toHaveLength(0);
  });

  it('sends one message for a bus event delivered twice', async () => {
    const member = await person({ language: 'en' });
    const full = await event({ price: 10 });
    const skipped = {
      pattern: EVENT_EVENTS.WAITLIST_SKIPPED,
      data: { event_id: full.id, member_id: member.member.id, reason_code: 'INSUFFICIENT_COINS' },
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
    };

    await platform.bus.publishEvents([skipped]);
    await told(member.user, /not have enough UP coins/);
    await platform.bus.publishEvents([skipped]);
    await settled(member);
    await settled(member);

    expect(textsTo(member.user, /not have enough UP coins/)).toHaveLength(1);
  });

  it('shows a changed balance in /profile at once (the cache is invalidated), and counts hits', async () => {
    const { user, member } = await person({ language: 'en', coins: 5 });
    const caches = [0, 1].map((replica) => platform.app('bot', replica).get(ProfileCache));
    expect((await telegram.ask(user, '/profile')).text).toContain('UP coins: 5');
    const before = await caches[0].counts();
    expect((await telegram.ask(user, '/profile')).text).toContain('UP coins: 5');
    expect((await caches[0].counts()).hit).toBeGreaterThan(before.hit);

    await club.grantCoins(member.id, 7);
    let text = '';
    // A stale copy would answer 5 for five minutes; the invalidation follows the ledger entry.
    for (let i = 0; i < 50 && !text.includes('UP coins: 12'); i += 1) {
      text = (await telegram.ask(user, '/profile')).text ?? '';
      if (!text.includes('UP coins: 12')) await sleep(100);
    }
    expect(text).toContain('UP coins: 12');
  });

  it('/settings turns announcements and reminders off and on and switches the language', async () => {
    const { user, member } = await person({ language: 'ru' });
    const settingsOf = () =>
      platform.bus.send(USERS.GET_NOTIFICATION_SETTINGS, { member_id: member.id });

    const shown = await telegram.ask(user, '/settings');
    expect(shown.text).toContain('Анонсы новых мероприятий: вкл.');

    async function press(data: string): Promise<TelegramMessage> {
      const queryId = telegram.pressButton(user, shown, data);
      const edit = await telegram.waitForCall(
        'editMessageText',
        (c) => c.params.chat_id === user.id,
      );
      await telegram.waitForCall(
        'answerCallbackQuery',
        (c) => c.params.callback_query_id === queryId,
      );
      return edit.result as TelegramMessage;
    }

    const off = await press(encodeSettingsCallback({ setting: 'announcements', on: false }));
    expect(off.text).toContain('Анонсы новых мероприятий: выкл.');
    expect(await settingsOf()).toMatchObject({ announcements: false, reminders: true });

    await press(encodeSettingsCallback({ setting: 'reminders', on: false }));
    expect(await settingsOf()).toMatchObject({ announcements: false, reminders: false });

    const english = await press(encodeSettingsCallback({ setting: 'language', language: 'en' }));
    expect(english.text).toContain('Reminders before your events: off');
    expect(await settingsOf()).toMatchObject({ language: 'en' });
    // The bot now speaks English to them, though their Telegram is in Russian.
    expect((await telegram.ask(user, '/help')).text).toContain('/settings: announcements');
  });

  it('marks a member reachable again when they write to the bot', async () => {
    const { user, member } = await person();
    const reachable = async () =>
      (await platform.bus.send(USERS.GET_NOTIFICATION_TARGETS, { member_ids: [member.id] }))
        .targets[0]?.reachable;
    await platform.bus.send(USERS.SET_TELEGRAM_REACHABLE, {
      telegram_id: String(user.id),
      reachable: false,
    });
    expect(await reachable()).toBe(false);

    await telegram.ask(user, '/help');
    let now = await reachable();
    for (let i = 0; i < 50 && !now; i += 1) {
      await sleep(100);
      now = await reachable();
    }
    expect(now).toBe(true);
  });
});
