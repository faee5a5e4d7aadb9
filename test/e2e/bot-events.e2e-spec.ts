import {
  FakeTelegramBotApi,
  Platform,
  startPlatform,
  telegramUser,
  TelegramMessage,
  TelegramTestUser,
} from '@up/testing';

/**
 * Issue 4 end to end, over the five real apps: an admin (by ADMIN_TELEGRAM_IDS) signs in through
 * the bot and creates an event at the gateway; a member finds it with /events in the bot, joins
 * with the Join button and is told the new balance; the web sees the seat and the debit; Leave
 * refunds, and the web sees that too.
 */

const WEB_APP_URL = 'https://club.example';

interface SignedIn {
  access_token: string;
  user: { id: string; role: string };
}

function buttonsOf(message: TelegramMessage): { text: string; data: string }[] {
  return (message.reply_markup?.inline_keyboard ?? [])
    .flat()
    .map((b) => ({ text: b.text, data: b.callback_data ?? '' }));
}

describe('events in the bot (end to end)', () => {
  const admin = telegramUser({ language_code: 'en' });
  let platform: Platform;
  let telegram: FakeTelegramBotApi;

  beforeAll(async () => {
    platform = await startPlatform({
      env: { WEB_APP_URL, ADMIN_TELEGRAM_IDS: String(admin.id) },
      telegram: { botUsername: 'up_club_events_bot' },
    });
    telegram = platform.telegram;
  }, 90_000);

  afterAll(() => platform?.close());

  function say(user: TelegramTestUser, text: string): Promise<TelegramMessage> {
    return telegram.ask(user, text);
  }

  async function press(
    user: TelegramTestUser,
    message: TelegramMessage,
    data: string,
  ): Promise<string> {
    return (await telegram.press(user, message, data)).text ?? '';
  }

  /** Signs a Telegram user in on the web: /login in the bot, then the code at the gateway. */
  async function signIn(user: TelegramTestUser): Promise<SignedIn> {
    const reply = await say(user, '/login');
    const url = new URL((reply.reply_markup?.inline_keyboard ?? []).flat()[0]?.url ?? '');
    const res = await platform.api.post<SignedIn>('/api/auth/callback', {
      body: { code: url.searchParams.get('code') },
    });
    expect(res.status).toBe(200);
    return res.json;
  }

  it('lets a member join an event from the bot, paying UP coins, and leave with a refund', async () => {
    const organizer = await signIn(admin);
    expect(organizer.user.role).toBe('admin');
    const created = await platform.api.post<{ id: string; title: string }>('/api/v1/events', {
      token: organizer.access_token,
      body: {
        title: 'Quiz <night> & tea',
        description: 'Teams of four',
        start_date: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        location: 'Club house',
        price: 10,
        capacity: 2,
        timezone: 'Europe/Moscow',
      },
    });
    expect(created.status).toBe(201);
    const eventId = created.json.id;

    const member = telegramUser({ language_code: 'en' });
    expect((await say(member, '/start')).text).toContain('Welcome to UP Club');
    const web = await signIn(member);
    const topUp = await platform.api.patch(`/api/admin/users/${web.user.id}`, {
      token: organizer.access_token,
      body: { coins_delta: 30, reason: 'Welcome gift' },
    });
    expect(topUp.status).toBe(200);

    const list = await say(member, '/events');
    expect(list.text).toContain('Quiz <night> & tea');
    expect(list.text).toContain('GMT+3');
    expect(list.text).toContain('2 spots left');
    const index = buttonsOf(list).findIndex((b) => b.text.endsWith('Join'));
    expect(index).toBeGreaterThanOrEqual(0);
    const [join, leave, more] = buttonsOf(list).slice(index, index + 3);

    // The member gets exactly one answer: the bot's own reply, or the `joined` notification when it
    // got there first (the same news, with the event's time).
    expect(await press(member, list, join.data)).toMatch(
      /^(You joined|✅ You are in:) .*Quiz <night> & tea.*Your balance: 20 UP\.$/,
    );
    const mine = await platform.api.get<{ events: { id: string }[] }>('/api/users/me/events', {
      token: web.access_token,
    });
    expect(mine.json.events.map((e) => e.id)).toContain(eventId);
    const event = await platform.api.get(`/api/v1/events/${eventId}`);
    expect(event.json).toMatchObject({ participants_count: 1, spots_left: 1 });

    expect(await press(member, list, join.data)).toBe('You are already in.');
    expect(await press(member, list, more.data)).toContain('Teams of four');
    expect(await press(member, list, leave.data)).toMatch(
      /^You left .*Quiz <night> & tea.*Refunded: 10 UP\. Your balance: 30 UP\.$/,
    );
    const me = await platform.api.get('/api/users/me', { token: web.access_token });
    expect(me.json.up_coins).toBe(30);
  });
});
