import { AUTH, EventView, EVENTS, MemberProfileResult, MemberRole, USERS } from '@up/contracts';
import {
  ClubFactory,
  decodeQrPng,
  FakeTelegramBotApi,
  inDays,
  Platform,
  startPlatform,
  telegramUser,
  TelegramMessage,
  TelegramTestUser,
} from '@up/testing';
import { decodeEventsCallback, encodeEventsCallback } from './events/events.callback-data';

/**
 * The bot against the real users, auth-codes and events services over the real bus, and a fake
 * Telegram Bot API: what a member does in the chat and what the services then hold. Refusals and
 * outages come from real data made through the services and from a stopped service.
 */

const WEB_APP_URL = 'https://club.example';

function callbackDataOf(message: TelegramMessage): string[] {
  return (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');
}

describe('bot on the platform', () => {
  let platform: Platform;
  let telegram: FakeTelegramBotApi;
  let club: ClubFactory;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['users', 'auth-codes', 'events', 'bot'],
      env: { WEB_APP_URL, ...ClubFactory.env },
      // A stopped service is reported quickly.
      appEnv: { bot: { BUS_REQUEST_TIMEOUT_MS: '2000' } },
      telegram: { botUsername: 'up_club_platform_bot' },
    });
    telegram = platform.telegram;
    club = new ClubFactory(platform);
  }, 60_000);

  afterAll(() => platform?.close());

  function say(user: TelegramTestUser, text: string): Promise<TelegramMessage> {
    return telegram.ask(user, text);
  }

  function memberOf(user: TelegramTestUser): Promise<MemberProfileResult> {
    return platform.bus.send(USERS.GET_BY_TELEGRAM_ID, { telegram_id: user.id });
  }

  it('registers its command menu in Russian by default and in English for English clients', () => {
    const commands = ['start', 'login', 'qr', 'profile', 'events', 'settings', 'help'];
    expect(telegram.commandsFor().map((c) => c.command)).toEqual(commands);
    expect(telegram.commandsFor('en').map((c) => c.command)).toEqual(commands);
    expect(telegram.commandsFor().find((c) => c.command === 'events')?.description).toBe(
      'Ближайшие мероприятия',
    );
    expect(telegram.commandsFor('en').find((c) => c.command === 'events')?.description).toBe(
      'Upcoming events',
    );
  });

  it('/start creates the member with the Telegram names, in their language or in Russian', async () => {
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

    const silent = telegramUser({ language_code: undefined });
    expect((await say(silent, '/start')).text).toContain('Добро пожаловать в UP Club');
  });

  it('/start UP-XXXXXX records the referral once, whatever the case, and never to oneself', async () => {
    const referrer = telegramUser();
    await say(referrer, '/start');
    const { profile: referrerProfile } = await memberOf(referrer);

    const friend = telegramUser();
    const reply = await say(friend, `/start ${referrerProfile.referral_code.toLowerCase()}`);
    expect(reply.text).toContain('по приглашению');
    expect((await memberOf(friend)).profile.referred_by).toBe(referrerProfile.id);

    const loner = telegramUser();
    await say(loner, '/start');
    const own = (await memberOf(loner)).profile.referral_code;
    await say(loner, `/start ${own}`);
    await say(loner, `/start ${referrerProfile.referral_code}`);
    expect((await memberOf(loner)).profile.referred_by).toBeNull();
  });

  it('/login answers with a URL button to <WEB_APP_URL>/auth/callback with this member’s code', async () => {
    const user = telegramUser({ language_code: 'en-US' });
    const reply = await say(user, '/login');
    expect(reply.text).toMatch(/works once and for 10 minutes/);
    const [button] = (reply.reply_markup?.inline_keyboard ?? []).flat();
    const url = new URL(button.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${WEB_APP_URL}/auth/callback`);

    // The code is the member's, bound to their Telegram account (redeemed here, so used up).
    const code = url.searchParams.get('code') ?? '';
    const redeemed = await platform.bus.send(AUTH.REDEEM_LOGIN_CODE, {
      code,
      telegram_id: user.id,
    });
    expect(redeemed.member_id).toBe((await memberOf(user)).profile.id);
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

  it('gives a Telegram user 5 sign-in links a minute (/login and /qr together), then says when to ask again in their language', async () => {
    const english = telegramUser({ language_code: 'en' });
    for (let i = 0; i < 4; i++) {
      expect((await say(english, '/login')).text).toMatch(/works once/);
    }
    telegram.sendText(english, '/qr');
    await telegram.waitForCall('sendPhoto', (c) => Number(c.params.chat_id) === english.id);
    const refused = await say(english, '/qr');
    expect(refused.text).toMatch(/Please try again in \d+ s/);
    expect(refused.reply_markup).toBeUndefined();
    expect((await say(english, '/login')).text).toMatch(/Please try again in \d+ s/);

    const russian = telegramUser({ language_code: 'ru' });
    for (let i = 0; i < 5; i++) await say(russian, '/login');
    expect((await say(russian, '/login')).text).toMatch(/Попробуйте снова через \d+ с/);
    // Another member is counted apart.
    expect((await say(telegramUser(), '/login')).text).toMatch(/один раз/);
  });

  it('/profile shows the private profile and the share link, in English or Russian', async () => {
    const english = telegramUser({ language_code: 'en' });
    await say(english, '/start');
    const { profile } = await memberOf(english);
    await club.grantCoins(profile.id, 25);
    const en = await say(english, '/profile');
    expect(en.text).toContain(`https://t.me/up_club_platform_bot?start=${profile.referral_code}`);
    expect(en.text).toContain('UP coins: 25');
    expect(en.text).toContain('Role: member');

    const russian = telegramUser({ language_code: 'ru' });
    const ru = await say(russian, '/profile');
    expect(ru.text).toContain('Роль: участник');
    expect(ru.text).toContain('https://t.me/up_club_platform_bot?start=UP-');
  });

  describe('/events', () => {
    // Seven upcoming events, soonest first: a page of five, then two.
    let night: EventView;
    let expensive: EventView;
    let fullHouse: EventView;
    /** One seat, free until a test takes it while a list is on screen. */
    let lastSeat: EventView;

    beforeAll(async () => {
      const organizer = await club.member({ role: MemberRole.ORGANIZER });
      night = await club.event(
        {
          title: 'Bot night & tea',
          description: 'Board games and tea',
          start_date: inDays(1),
          location: 'Club house',
          price: 10,
          capacity: 5,
          timezone: 'Asia/Tokyo',
        },
        organizer,
      );
      expensive = await club.event(
        { title: 'Gala dinner', start_date: inDays(2), price: 1000 },
        organizer,
      );
      fullHouse = await club.event(
        { title: 'Full house', start_date: inDays(3), capacity: 1 },
        organizer,
      );
      const early = await club.member();
      await platform.bus.send(EVENTS.JOIN, { event_id: fullHouse.id, member_id: early.id });
      lastSeat = await club.event(
        { title: 'Last seat', start_date: inDays(4), capacity: 1 },
        organizer,
      );
      for (let day = 5; day <= 7; day += 1) {
        await club.event({ start_date: inDays(day) }, organizer);
      }
    });

    const join = (event: EventView) =>
      encodeEventsCallback({ kind: 'join', eventId: event.id, offset: 0 });
    const joinWaitlist = (event: EventView) =>
      encodeEventsCallback({ kind: 'joinWaitlist', eventId: event.id, offset: 0 });
    const leaveWaitlist = (event: EventView) =>
      encodeEventsCallback({ kind: 'leaveWaitlist', eventId: event.id, offset: 0 });

    /** The member's list, once the bot has redrawn it after their latest press. */
    async function redrawnListOf(user: TelegramTestUser): Promise<TelegramMessage> {
      const edit = await telegram.waitForCall(
        'editMessageText',
        (c) => c.params.chat_id === user.id,
      );
      return edit.result as TelegramMessage;
    }

    function waitlistPositionOf(event: EventView, memberId: string): Promise<number | null> {
      return platform.bus
        .send(EVENTS.GET, { event_id: event.id, member_id: memberId })
        .then((view) => view.waitlist_position ?? null);
    }

    it('lists a page of events with Join / Leave / More buttons and a next page', async () => {
      const list = await say(telegramUser({ language_code: 'en' }), '/events');
      expect(list.text).toContain('Upcoming events (1–5 of 7)');
      expect(list.text).toContain('Bot night & tea');
      expect(list.text).toContain('GMT+9');
      expect(list.text).toContain('5 spots left');
      const data = callbackDataOf(list);
      expect(data).toEqual(
        expect.arrayContaining([
          join(night),
          encodeEventsCallback({ kind: 'leave', eventId: night.id, offset: 0 }),
          encodeEventsCallback({ kind: 'more', eventId: night.id, offset: 0 }),
          encodeEventsCallback({ kind: 'page', offset: 5 }),
        ]),
      );
    });

    it('pages forward in place', async () => {
      const user = telegramUser({ language_code: 'en' });
      const list = await say(user, '/events');
      const queryId = telegram.pressButton(
        user,
        list,
        encodeEventsCallback({ kind: 'page', offset: 5 }),
      );
      const edit = await telegram.waitForCall(
        'editMessageText',
        (c) => c.params.chat_id === user.id,
      );
      await telegram.waitForCall(
        'answerCallbackQuery',
        (c) => c.params.callback_query_id === queryId,
      );
      const page = edit.result as TelegramMessage;
      expect(page.message_id).toBe(list.message_id);
      expect(page.text).toContain('(6–7 of 7)');
      expect(callbackDataOf(page).map(decodeEventsCallback)).toContainEqual({
        kind: 'page',
        offset: 0,
      });
    });

    it('joins with the Join button, answering with the balance and redrawing the list; Leave refunds once', async () => {
      const user = telegramUser({ language_code: 'en' });
      const member = await club.member({ telegram: user, coins: 25 });
      const list = await say(user, '/events');

      expect((await telegram.press(user, list, join(night))).text).toBe(
        'You joined Bot night & tea. Your balance: 15 UP.',
      );
      expect(await club.balanceOf(member.id)).toBe(15);
      const redrawn = await telegram.waitForCall('editMessageText', (c) =>
        String(c.params.text).includes('4 spots left'),
      );
      expect((redrawn.result as TelegramMessage).message_id).toBe(list.message_id);

      const leave = encodeEventsCallback({ kind: 'leave', eventId: night.id, offset: 0 });
      expect((await telegram.press(user, list, leave)).text).toBe(
        'You left Bot night & tea. Refunded: 10 UP. Your balance: 25 UP.',
      );
      expect((await telegram.press(user, list, leave)).text).toBe(
        'You have not joined this event.',
      );
      expect(await club.balanceOf(member.id)).toBe(25);
    });

    it('says why a join failed: not enough coins, no seats left (offering the waitlist)', async () => {
      const user = telegramUser({ language_code: 'ru' });
      const member = await club.member({ telegram: user, coins: 5 });
      const list = await say(user, '/events');
      // The last seat goes while the list is on screen, its Join button still there.
      const quicker = await club.member();
      await platform.bus.send(EVENTS.JOIN, { event_id: lastSeat.id, member_id: quicker.id });

      expect((await telegram.press(user, list, join(expensive))).text).toBe(
        'Недостаточно UP-коинов: участие стоит 1000 UP.',
      );
      const full = await telegram.press(user, list, join(lastSeat));
      expect(full.text).toBe('К сожалению, свободных мест нет.');
      expect(callbackDataOf(full)).toEqual([joinWaitlist(lastSeat)]);
      expect(full.reply_markup?.inline_keyboard?.[0][0].text).toBe('В лист ожидания');
      // The list is redrawn: the event is now offered as full, with its waitlist.
      const redrawn = await redrawnListOf(user);
      expect(redrawn.text).toContain('мест нет — встаньте в лист ожидания');
      expect(callbackDataOf(redrawn)).not.toContain(join(lastSeat));
      expect(await club.balanceOf(member.id)).toBe(5);
      const seats = await platform.bus.send(EVENTS.GET, { event_id: expensive.id });
      expect(seats.participants_count).toBe(0);
    });

    it('shows a full event as "full — join the waitlist" with a button for it instead of Join', async () => {
      const list = await say(telegramUser({ language_code: 'en' }), '/events');
      expect(list.text).toContain('Full house');
      expect(list.text).toContain('full — join the waitlist');
      const data = callbackDataOf(list);
      expect(data).toContain(joinWaitlist(fullHouse));
      expect(data).not.toContain(join(fullHouse));
      // Events with seats keep their Join button.
      expect(data).toContain(join(night));
    });

    it('puts the member in line with the waitlist button, shows their place in the list, and lets them leave the line', async () => {
      const first = telegramUser({ language_code: 'en' });
      const firstMember = await club.member({ telegram: first, coins: 25 });
      const second = telegramUser({ language_code: 'ru' });
      const secondMember = await club.member({ telegram: second });

      const list = await say(first, '/events');
      expect((await telegram.press(first, list, joinWaitlist(fullHouse))).text).toBe(
        'You are #1 in the waitlist for Full house. Nothing is charged now: ' +
          'when a seat frees up it is yours, and the price is debited then.',
      );
      expect(await waitlistPositionOf(fullHouse, firstMember.id)).toBe(1);
      expect(await club.balanceOf(firstMember.id)).toBe(25);
      const redrawn = await redrawnListOf(first);
      expect(redrawn.message_id).toBe(list.message_id);
      expect(redrawn.text).toContain('full · you are #1 in the waitlist');
      expect(callbackDataOf(redrawn)).toContain(leaveWaitlist(fullHouse));
      expect(callbackDataOf(redrawn)).not.toContain(joinWaitlist(fullHouse));

      // A second member queues behind, and their list says so in Russian.
      const secondList = await say(second, '/events');
      expect((await telegram.press(second, secondList, joinWaitlist(fullHouse))).text).toMatch(
        /^Вы №2 в листе ожидания на Full house\./,
      );
      await redrawnListOf(second);
      expect((await say(second, '/events')).text).toContain('мест нет · вы №2 в листе ожидания');

      // The first leaves the line from the redrawn list; the second moves up.
      expect((await telegram.press(first, list, leaveWaitlist(fullHouse))).text).toBe(
        'You left the waitlist for Full house.',
      );
      expect(await waitlistPositionOf(fullHouse, firstMember.id)).toBeNull();
      const afterLeaving = await redrawnListOf(first);
      expect(afterLeaving.text).toContain('full — join the waitlist');
      expect(callbackDataOf(afterLeaving)).toContain(joinWaitlist(fullHouse));
      expect((await say(second, '/events')).text).toContain('мест нет · вы №1 в листе ожидания');

      const details = await telegram.press(
        second,
        secondList,
        encodeEventsCallback({ kind: 'more', eventId: fullHouse.id, offset: 0 }),
      );
      expect(details.text).toContain('Вы №1 в листе ожидания.');

      // The second leaves too, from the list they queued from (redrawn since with Leave the waitlist).
      expect((await telegram.press(second, secondList, leaveWaitlist(fullHouse))).text).toBe(
        'Вы вышли из листа ожидания на Full house.',
      );
      expect(await waitlistPositionOf(fullHouse, secondMember.id)).toBeNull();
      expect(await club.balanceOf(firstMember.id)).toBe(25);
    });

    it('answers a waitlist button from an older list with where the member stands, and redraws it', async () => {
      const user = telegramUser({ language_code: 'en' });
      const member = await club.member({ telegram: user });
      const older = await say(user, '/events');
      const list = await say(user, '/events');
      await telegram.press(user, list, joinWaitlist(fullHouse));
      await redrawnListOf(user);
      const position = await waitlistPositionOf(fullHouse, member.id);

      expect((await telegram.press(user, older, joinWaitlist(fullHouse))).text).toBe(
        `You are already in the waitlist, #${position} in line.`,
      );
      expect(callbackDataOf(await redrawnListOf(user))).toContain(leaveWaitlist(fullHouse));

      await telegram.press(user, list, leaveWaitlist(fullHouse));
      await redrawnListOf(user);
      expect((await telegram.press(user, older, leaveWaitlist(fullHouse))).text).toBe(
        'You are not in the waitlist for this event.',
      );
    });

    it('tells a deactivated member so when they try to join, charging nothing', async () => {
      const user = telegramUser({ language_code: 'en' });
      const member = await club.member({ telegram: user, coins: 25 });
      await club.deactivate(member.id);
      const list = await say(user, '/events');

      expect((await telegram.press(user, list, join(night))).text).toBe(
        'Your membership is deactivated. Please contact the club.',
      );
      expect(await club.balanceOf(member.id)).toBe(25);
    });

    // Last: the events service stays stopped.
    it('says events are unavailable while the events service is not running, and keeps working', async () => {
      const presser = telegramUser({ language_code: 'ru' });
      const list = await say(presser, '/events');
      await platform.app('events').stop();

      // A command and a button press at once: the bot serves chats side by side.
      const asker = telegramUser({ language_code: 'en' });
      const [command, press] = await Promise.all([
        say(asker, '/events'),
        telegram.press(presser, list, join(night)),
      ]);
      expect(command.text).toBe(
        'Events are unavailable right now. Please try again in a few minutes.',
      );
      expect(press.text).toBe('Мероприятия сейчас недоступны. Попробуйте через несколько минут.');

      const profile = await say(asker, '/profile');
      expect(profile.text).toContain('https://t.me/up_club_platform_bot?start=UP-');
    });
  });
});
