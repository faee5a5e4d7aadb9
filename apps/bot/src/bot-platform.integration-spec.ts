import { randomUUID } from 'node:crypto';
import { EVENTS, EventView, MemberProfileResult, USERS } from '@up/contracts';
import {
  decodeQrPng,
  FakeTelegramBotApi,
  Platform,
  RecordedCall,
  startPlatform,
  telegramUser,
  TelegramMessage,
  TelegramTestUser,
} from '@up/testing';
import { encodeEventsCallback } from './events/events.callback-data';

/**
 * The bot against the real users, auth-codes and events services over the real bus, and a fake
 * Telegram Bot API: what a member does in the chat and what the services then hold.
 */

const WEB_APP_URL = 'https://club.example';

function messageOf(call: RecordedCall): TelegramMessage {
  return call.result as TelegramMessage;
}

describe('bot on the platform', () => {
  let telegram: FakeTelegramBotApi;
  let platform: Platform;

  beforeAll(async () => {
    telegram = await FakeTelegramBotApi.start({ botUsername: 'up_club_platform_bot' });
    platform = await startPlatform({
      apps: ['users', 'auth-codes', 'events', 'bot'],
      env: { WEB_APP_URL },
      appEnv: {
        bot: {
          TELEGRAM_BOT_TOKEN: telegram.token,
          TELEGRAM_API_ROOT: telegram.url,
          // A stopped service is reported quickly.
          BUS_REQUEST_TIMEOUT_MS: '2000',
        },
      },
    });
    await telegram.waitUntilPolling();
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
    await telegram?.close();
  });

  async function say(user: TelegramTestUser, text: string): Promise<TelegramMessage> {
    telegram.sendText(user, text);
    return messageOf(
      await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id),
    );
  }

  function memberOf(user: TelegramTestUser): Promise<MemberProfileResult> {
    return platform.bus.send(USERS.GET_BY_TELEGRAM_ID, { telegram_id: user.id });
  }

  it('/start creates the member with the Telegram names and language', async () => {
    const user = telegramUser({ language_code: 'en' });
    const reply = await say(user, '/start');
    expect(reply.text).toContain('Welcome to UP Club');
    const { profile } = await memberOf(user);
    expect(profile).toMatchObject({
      telegram_id: user.id,
      username: user.username,
      first_name: user.first_name,
    });
    expect(profile.referral_code).toMatch(/^UP-[A-Z0-9]{6}$/);

    expect((await say(user, '/start')).text).toContain('Welcome back');
  });

  it('/start UP-XXXXXX records the referral once, and never to oneself', async () => {
    const referrer = telegramUser();
    await say(referrer, '/start');
    const { profile: referrerProfile } = await memberOf(referrer);

    const friend = telegramUser();
    const reply = await say(friend, `/start ${referrerProfile.referral_code}`);
    expect(reply.text).toContain('по приглашению');
    expect((await memberOf(friend)).profile.referred_by).toBe(referrerProfile.id);

    const loner = telegramUser();
    await say(loner, '/start');
    const own = (await memberOf(loner)).profile.referral_code;
    await say(loner, `/start ${own}`);
    await say(loner, `/start ${referrerProfile.referral_code}`);
    expect((await memberOf(loner)).profile.referred_by).toBeNull();
  });

  it('/login answers with a URL button to <WEB_APP_URL>/auth/callback with a code', async () => {
    const user = telegramUser({ language_code: 'en' });
    const reply = await say(user, '/login');
    expect(reply.text).toMatch(/works once and for 10 minutes/);
    const [button] = (reply.reply_markup?.inline_keyboard ?? []).flat();
    const url = new URL(button.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${WEB_APP_URL}/auth/callback`);
    expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });

  it('/qr sends a PNG that decodes to the same kind of link', async () => {
    const user = telegramUser({ language_code: 'ru' });
    telegram.sendText(user, '/qr');
    const photo = await telegram.waitForCall(
      'sendPhoto',
      (c) => Number(c.params.chat_id) === user.id,
    );
    expect(photo.params.caption).toMatch(/один раз и 10 минут/);
    const link = new URL(decodeQrPng(photo.files[0].data));
    expect(`${link.origin}${link.pathname}`).toBe(`${WEB_APP_URL}/auth/callback`);
    expect(link.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });

  it('/profile shows the private profile and the share link, in English or Russian', async () => {
    const english = telegramUser({ language_code: 'en' });
    await say(english, '/start');
    const { profile } = await memberOf(english);
    const en = await say(english, '/profile');
    expect(en.text).toContain(`https://t.me/up_club_platform_bot?start=${profile.referral_code}`);
    expect(en.text).toContain(`UP coins: ${profile.up_coins}`);
    expect(en.text).toContain('Role: member');

    const russian = telegramUser({ language_code: 'ru' });
    const ru = await say(russian, '/profile');
    expect(ru.text).toContain('Роль: участник');
    expect(ru.text).toContain('https://t.me/up_club_platform_bot?start=UP-');
  });

  describe('/events', () => {
    let event: EventView;

    beforeAll(async () => {
      const organizer = telegramUser();
      await say(organizer, '/start');
      const { profile } = await memberOf(organizer);
      event = await platform.bus.send(EVENTS.CREATE, {
        title: `Bot night ${randomUUID().slice(0, 6)}`,
        description: 'Board games and tea',
        start_date: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        location: 'Club house',
        price: 10,
        capacity: 5,
        timezone: 'Asia/Tokyo',
        actor_id: profile.id,
        actor_role: 'admin',
      });
    });

    it('lists upcoming events and joins with the Join button, answering with the balance', async () => {
      const user = telegramUser({ language_code: 'en' });
      await say(user, '/start');
      const { profile } = await memberOf(user);
      await platform.bus.send(USERS.CREDIT_COINS, {
        member_id: profile.id,
        amount: 25,
        idempotency_key: `test:${randomUUID()}`,
        reason: 'Test top-up',
      });

      const list = await say(user, '/events');
      expect(list.text).toContain(event.title);
      expect(list.text).toContain('GMT+9');
      expect(list.text).toContain('5 spots left');

      const balanceBefore = (await memberOf(user)).profile.up_coins;
      const queryId = telegram.pressButton(
        user,
        list,
        encodeEventsCallback({ kind: 'join', eventId: event.id, offset: 0 }),
      );
      await telegram.waitForCall(
        'answerCallbackQuery',
        (c) => c.params.callback_query_id === queryId,
      );
      const answer = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      expect(messageOf(answer).text).toBe(
        `You joined ${event.title}. Your balance: ${balanceBefore - 10} UP.`,
      );
      expect((await memberOf(user)).profile.up_coins).toBe(balanceBefore - 10);
    });

    it('says why a join failed when the member lacks coins', async () => {
      const user = telegramUser({ language_code: 'en' });
      await say(user, '/start');
      const list = await say(user, '/events');
      telegram.pressButton(
        user,
        list,
        encodeEventsCallback({ kind: 'join', eventId: event.id, offset: 0 }),
      );
      const answer = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      expect(messageOf(answer).text).toBe('Not enough UP coins: this event costs 10 UP.');
    });

    it('says events are unavailable while the events service is not running, and keeps working', async () => {
      await platform.app('events').stop();
      const user = telegramUser({ language_code: 'en' });
      const reply = await say(user, '/events');
      expect(reply.text).toBe(
        'Events are unavailable right now. Please try again in a few minutes.',
      );

      const profile = await say(user, '/profile');
      expect(profile.text).toContain('https://t.me/up_club_platform_bot?start=UP-');
    });
  });
});
