import { randomBytes, randomUUID } from 'node:crypto';
import {
  Controller,
  INestApplicationContext,
  INestMicroservice,
  Module,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { createBusMicroservice } from '@up/bus';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import {
  AUTH,
  DomainError,
  ErrorCode,
  EventPage,
  EVENTS,
  EventView,
  GetByTelegramIdDto,
  GetEventDto,
  IssueLoginCodeDto,
  JoinEventDto,
  JoinEventResult,
  LeaveEventDto,
  LeaveEventResult,
  ListUpcomingEventsDto,
  MemberProfileResult,
  PrivateProfile,
  UpsertTelegramMemberDto,
  UpsertTelegramResult,
  USERS,
} from '@up/contracts';
import {
  createTestRedisSpace,
  decodeQrPng,
  FakeTelegramBotApi,
  RecordedCall,
  telegramUser,
  TelegramMessage,
} from '@up/testing';
import { LoggingModule } from '@up/logging';
import { AppModule } from './app.module';
import { BotConfig } from './config/bot.config';
import { decodeEventsCallback, encodeEventsCallback } from './events/events.callback-data';

/**
 * The bot's whole conversation over the real bus and a fake Telegram, with the services it calls
 * played by small in-memory stand-ins (their answers and error codes under the test's control).
 * The same flows against the real services run in bot-platform.integration-spec.ts.
 */

const WEB_APP_URL = 'https://club.example';

/** In-memory club state shared by the stand-in services. */
class ClubState {
  readonly members = new Map<number, PrivateProfile>();
  readonly events = new Map<string, EventView>();
  readonly seats = new Map<string, Set<string>>();
  readonly loginCodes = new Map<string, IssueLoginCodeDto>();

  memberById(id: string): PrivateProfile {
    const member = [...this.members.values()].find((m) => m.id === id);
    if (!member) throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'No such member');
    return member;
  }

  addEvent(overrides: Partial<EventView> = {}): EventView {
    const event: EventView = {
      id: randomUUID(),
      title: `Event ${this.events.size + 1}`,
      description: 'A good evening',
      start_date: new Date(Date.now() + (this.events.size + 1) * 86_400_000).toISOString(),
      end_date: null,
      location: 'Club house',
      price: 10,
      image_url: null,
      capacity: 10,
      is_active: true,
      creator_id: randomUUID(),
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      timezone: 'Europe/Moscow',
      participants_count: 0,
      spots_left: 10,
      ...overrides,
    };
    this.events.set(event.id, event);
    this.seats.set(event.id, new Set());
    return event;
  }
}

const state = new ClubState();

@Controller()
class UsersStandIn {
  @MessagePattern(USERS.UPSERT_TELEGRAM)
  upsert(@Payload() dto: UpsertTelegramMemberDto): UpsertTelegramResult {
    const existing = state.members.get(dto.telegram_id);
    const referrer = [...state.members.values()].find((m) => m.referral_code === dto.referral_code);
    const profile: PrivateProfile = {
      id: existing?.id ?? randomUUID(),
      telegram_id: dto.telegram_id,
      username: dto.username ?? null,
      full_name: [dto.first_name, dto.last_name].filter(Boolean).join(' '),
      first_name: dto.first_name ?? null,
      email: null,
      photo_url: null,
      role: 'member',
      up_coins: existing?.up_coins ?? 25,
      referral_code:
        existing?.referral_code ?? `UP-${randomBytes(3).toString('hex').toUpperCase()}`,
      referred_by: existing ? existing.referred_by : (referrer?.id ?? null),
      achievements_count: 0,
      created_at: existing?.created_at ?? new Date().toISOString(),
      last_login: null,
    };
    state.members.set(dto.telegram_id, profile);
    return { profile, version: 1, created: !existing, referral_applied: !existing && !!referrer };
  }

  @MessagePattern(USERS.GET_BY_TELEGRAM_ID)
  byTelegramId(@Payload() dto: GetByTelegramIdDto): MemberProfileResult {
    const profile = state.members.get(dto.telegram_id);
    if (!profile) throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'No such member');
    return { profile, version: 1 };
  }
}

@Controller()
class AuthCodesStandIn {
  @MessagePattern(AUTH.ISSUE_LOGIN_CODE)
  issue(@Payload() dto: IssueLoginCodeDto): { code: string; expires_in: number } {
    const code = randomBytes(32).toString('base64url');
    state.loginCodes.set(code, dto);
    return { code, expires_in: 600 };
  }
}

@Controller()
class EventsStandIn {
  @MessagePattern(EVENTS.LIST_UPCOMING)
  upcoming(@Payload() dto: ListUpcomingEventsDto): EventPage {
    const all = [...state.events.values()].sort((a, b) => a.start_date.localeCompare(b.start_date));
    return {
      events: all.slice(dto.offset, dto.offset + dto.limit),
      total: all.length,
      limit: dto.limit,
      offset: dto.offset,
    };
  }

  @MessagePattern(EVENTS.GET)
  get(@Payload() dto: GetEventDto): EventView {
    const event = this.stored(dto.event_id);
    return {
      ...event,
      joined: dto.member_id ? state.seats.get(event.id)?.has(dto.member_id) : undefined,
    };
  }

  @MessagePattern(EVENTS.JOIN)
  join(@Payload() dto: JoinEventDto): JoinEventResult {
    const event = this.stored(dto.event_id);
    const seats = state.seats.get(event.id) ?? new Set<string>();
    const member = state.memberById(dto.member_id);
    if (seats.has(member.id)) throw new DomainError(ErrorCode.ALREADY_JOINED, 'Already joined');
    if (event.capacity !== null && seats.size >= event.capacity)
      throw new DomainError(ErrorCode.EVENT_FULL, 'Full');
    if (member.up_coins < event.price)
      throw new DomainError(ErrorCode.INSUFFICIENT_COINS, 'Not enough coins');
    member.up_coins -= event.price;
    seats.add(member.id);
    event.participants_count = seats.size;
    event.spots_left = event.capacity === null ? null : event.capacity - seats.size;
    return {
      event_id: event.id,
      user_id: member.id,
      joined_at: new Date().toISOString(),
      balance: member.up_coins,
    };
  }

  private stored(eventId: string): EventView {
    const event = state.events.get(eventId);
    if (!event) throw new DomainError(ErrorCode.EVENT_NOT_FOUND, 'No such event');
    return event;
  }

  @MessagePattern(EVENTS.LEAVE)
  leave(@Payload() dto: LeaveEventDto): LeaveEventResult {
    const event = this.stored(dto.event_id);
    const seats = state.seats.get(event.id) ?? new Set<string>();
    const member = state.memberById(dto.member_id);
    if (!seats.delete(member.id)) throw new DomainError(ErrorCode.NOT_JOINED, 'Not joined');
    member.up_coins += event.price;
    event.participants_count = seats.size;
    event.spots_left = event.capacity === null ? null : event.capacity - seats.size;
    return {
      event_id: event.id,
      user_id: member.id,
      left_at: new Date().toISOString(),
      refunded: event.price,
      balance: member.up_coins,
    };
  }
}

function standInModule(controller: Type<unknown>, config: CommonEnv): Type<unknown> {
  @Module({
    imports: [ConfigModule.forRoot(CommonEnv, config), LoggingModule.forRoot('stand-in')],
    controllers: [controller],
  })
  class StandInModule {}
  return StandInModule;
}

function messageOf(call: RecordedCall): TelegramMessage {
  return call.result as TelegramMessage;
}

function callbackDataOf(message: TelegramMessage): string[] {
  return (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? '');
}

describe('bot conversation (stand-in services)', () => {
  const space = createTestRedisSpace();
  let telegram: FakeTelegramBotApi;
  let bot: INestApplicationContext;
  const services = new Map<string, INestMicroservice>();
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_KEY_PREFIX: space.prefix,
    BUS_REQUEST_TIMEOUT_MS: '1500',
  };

  async function startService(service: string, controller: Type<unknown>): Promise<void> {
    const app = await createBusMicroservice(standInModule(controller, loadConfig(CommonEnv, env)), {
      service,
    });
    await app.listen();
    services.set(service, app);
  }

  async function stopService(service: string): Promise<void> {
    await services.get(service)?.close();
    services.delete(service);
  }

  beforeAll(async () => {
    telegram = await FakeTelegramBotApi.start({ botUsername: 'up_club_test_bot' });
    await startService('users', UsersStandIn);
    await startService('auth-codes', AuthCodesStandIn);
    await startService('events', EventsStandIn);
    const config = loadConfig(BotConfig, {
      ...env,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      WEB_APP_URL,
    });
    bot = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
    await bot.init();
    await telegram.waitUntilPolling();
  });

  afterAll(async () => {
    await bot?.close();
    for (const service of [...services.keys()]) await stopService(service);
    await telegram?.close();
    await space.clear();
  });

  it('registers its command menu in Russian and English at start', () => {
    expect(telegram.commandsFor().map((c) => c.command)).toEqual([
      'start',
      'login',
      'qr',
      'profile',
      'events',
      'help',
    ]);
    expect(telegram.commandsFor('en').find((c) => c.command === 'events')?.description).toBe(
      'Upcoming events',
    );
    expect(telegram.commandsFor().find((c) => c.command === 'events')?.description).toBe(
      'Ближайшие мероприятия',
    );
  });

  it('/start creates the member and welcomes them in Russian by default', async () => {
    const user = telegramUser({ language_code: undefined });
    telegram.sendText(user, '/start');
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    expect(messageOf(reply).text).toContain('Добро пожаловать в UP Club');
    expect(state.members.get(user.id)).toMatchObject({
      first_name: user.first_name,
      username: user.username,
    });
  });

  it('/start UP-XXXXXX passes the referral code and says when it counted', async () => {
    const referrer = telegramUser({ language_code: 'en' });
    telegram.sendText(referrer, '/start');
    await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === referrer.id);
    const code = state.members.get(referrer.id)?.referral_code ?? '';

    const friend = telegramUser({ language_code: 'en' });
    telegram.sendText(friend, `/start ${code.toLowerCase()}`);
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === friend.id);
    expect(messageOf(reply).text).toContain('friend’s invitation');
    expect(state.members.get(friend.id)?.referred_by).toBe(state.members.get(referrer.id)?.id);
  });

  it('/login answers with a URL button to the web app carrying a fresh code, in English for English clients', async () => {
    const user = telegramUser({ language_code: 'en-US' });
    telegram.sendText(user, '/login');
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    const message = messageOf(reply);
    expect(message.text).toMatch(/works once and for 10 minutes/);
    const [button] = (message.reply_markup?.inline_keyboard ?? []).flat();
    const url = new URL(button.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${WEB_APP_URL}/auth/callback`);
    const code = url.searchParams.get('code') ?? '';
    expect(state.loginCodes.get(code)).toEqual({
      member_id: state.members.get(user.id)?.id,
      telegram_id: user.id,
    });
  });

  it('/qr sends a PNG whose QR code is the same kind of link', async () => {
    const user = telegramUser();
    telegram.sendText(user, '/qr');
    const photo = await telegram.waitForCall(
      'sendPhoto',
      (c) => Number(c.params.chat_id) === user.id,
    );
    expect(photo.params.caption).toMatch(/один раз и 10 минут/);
    const link = new URL(decodeQrPng(photo.files[0].data));
    expect(`${link.origin}${link.pathname}`).toBe(`${WEB_APP_URL}/auth/callback`);
    expect(state.loginCodes.has(link.searchParams.get('code') ?? '')).toBe(true);
  });

  it('/profile shows the profile and the share link with the bot’s username', async () => {
    const user = telegramUser({ language_code: 'en' });
    telegram.sendText(user, '/profile');
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    const code = state.members.get(user.id)?.referral_code;
    expect(messageOf(reply).text).toContain(`https://t.me/up_club_test_bot?start=${code}`);
    expect(messageOf(reply).text).toContain('UP coins: 25');
  });

  describe('/events', () => {
    const events: EventView[] = [];

    beforeAll(() => {
      events.push(
        state.addEvent({ title: 'Cheap & cheerful', price: 10, capacity: 5, spots_left: 5 }),
      );
      events.push(state.addEvent({ title: 'Expensive', price: 1000 }));
      events.push(state.addEvent({ title: 'Full house', capacity: 0, spots_left: 0 }));
      for (let i = 0; i < 4; i += 1) state.addEvent();
    });

    async function openList(user: ReturnType<typeof telegramUser>): Promise<TelegramMessage> {
      telegram.sendText(user, '/events');
      return messageOf(
        await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id),
      );
    }

    async function press(
      user: ReturnType<typeof telegramUser>,
      message: TelegramMessage,
      data: string,
    ): Promise<string> {
      const queryId = telegram.pressButton(user, message, data);
      await telegram.waitForCall(
        'answerCallbackQuery',
        (c) => c.params.callback_query_id === queryId,
      );
      const answer = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      return messageOf(answer).text ?? '';
    }

    it('lists a page of events with Join / Leave / More buttons and a next page', async () => {
      const list = await openList(telegramUser({ language_code: 'en' }));
      expect(list.text).toContain('Upcoming events (1–5 of 7)');
      expect(list.text).toContain('Cheap & cheerful');
      const data = callbackDataOf(list);
      expect(data).toContain(
        encodeEventsCallback({ kind: 'join', eventId: events[0].id, offset: 0 }),
      );
      expect(data).toContain(encodeEventsCallback({ kind: 'page', offset: 5 }));
      expect(data.every((d) => Buffer.byteLength(d) <= 64)).toBe(true);
    });

    it('pages forward in place', async () => {
      const user = telegramUser({ language_code: 'en' });
      const list = await openList(user);
      telegram.pressButton(user, list, encodeEventsCallback({ kind: 'page', offset: 5 }));
      const edit = await telegram.waitForCall(
        'editMessageText',
        (c) => c.params.chat_id === user.id,
      );
      expect(messageOf(edit).text).toContain('(6–7 of 7)');
      expect(callbackDataOf(messageOf(edit)).map(decodeEventsCallback)).toContainEqual({
        kind: 'page',
        offset: 0,
      });
    });

    it('joins with the Join button and reports the new balance; a second press says already in; Leave refunds', async () => {
      const user = telegramUser({ language_code: 'en' });
      const list = await openList(user);
      const join = encodeEventsCallback({ kind: 'join', eventId: events[0].id, offset: 0 });
      expect(await press(user, list, join)).toBe(
        'You joined Cheap & cheerful. Your balance: 15 UP.',
      );
      // The list is redrawn with one spot fewer.
      await telegram.waitForCall('editMessageText', (c) =>
        String(c.params.text).includes('4 spots left'),
      );

      expect(await press(user, list, join)).toBe('You are already in.');
      const leave = encodeEventsCallback({ kind: 'leave', eventId: events[0].id, offset: 0 });
      expect(await press(user, list, leave)).toBe(
        'You left Cheap & cheerful. Refunded: 10 UP. Your balance: 25 UP.',
      );
      expect(await press(user, list, leave)).toBe('You have not joined this event.');
    });

    it('says why a join failed: not enough coins, full', async () => {
      const user = telegramUser({ language_code: 'ru' });
      const list = await openList(user);
      const expensive = encodeEventsCallback({ kind: 'join', eventId: events[1].id, offset: 0 });
      expect(await press(user, list, expensive)).toBe(
        'Недостаточно UP-коинов: участие стоит 1000 UP.',
      );
      const full = encodeEventsCallback({ kind: 'join', eventId: events[2].id, offset: 0 });
      expect(await press(user, list, full)).toBe('К сожалению, свободных мест нет.');
    });

    it('shows the description with More', async () => {
      const user = telegramUser({ language_code: 'en' });
      const list = await openList(user);
      const text = await press(
        user,
        list,
        encodeEventsCallback({ kind: 'more', eventId: events[0].id, offset: 0 }),
      );
      expect(text).toContain('A good evening');
      expect(text).toContain('Club house');
    });

    it('says events are unavailable while the events service is down, and keeps working', async () => {
      await stopService('events');
      try {
        const user = telegramUser({ language_code: 'en' });
        telegram.sendText(user, '/events');
        const reply = await telegram.waitForCall(
          'sendMessage',
          (c) => c.params.chat_id === user.id,
          5000,
        );
        expect(messageOf(reply).text).toBe(
          'Events are unavailable right now. Please try again in a few minutes.',
        );

        telegram.sendText(user, '/profile');
        const profile = await telegram.waitForCall(
          'sendMessage',
          (c) => c.params.chat_id === user.id,
          5000,
        );
        expect(messageOf(profile).text).toContain('https://t.me/up_club_test_bot?start=');
      } finally {
        await startService('events', EventsStandIn);
      }
    });
  });
});
