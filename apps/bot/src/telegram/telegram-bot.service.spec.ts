import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@up/config';
import {
  createTestRedisSpace,
  FakeTelegramBotApi,
  RecordedCall,
  telegramUser,
  TelegramMessage,
} from '@up/testing';
import { Markup } from 'telegraf';
import { BotConfig } from '../config/bot.config';
import { TelegramBot } from './telegram-bot.service';
import { TelegramRedis } from './telegram-redis';

const redisSpace = createTestRedisSpace();

function botConfig(env: Record<string, string> = {}): BotConfig {
  return loadConfig(BotConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_SECONDS: '2',
    REDIS_URL: redisSpace.url,
    REDIS_KEY_PREFIX: redisSpace.prefix,
    ...env,
  });
}

/** A local port nothing listens on: Telegram "unreachable". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function textOf(call: RecordedCall): string {
  return (call.result as TelegramMessage).text ?? '';
}

describe(TelegramBot.name, () => {
  let telegram: FakeTelegramBotApi;
  let sut: TelegramBot | undefined;
  let redis: TelegramRedis | undefined;

  function newBot(config: BotConfig): TelegramBot {
    redis = new TelegramRedis(config);
    sut = new TelegramBot(config, redis);
    return sut;
  }

  function newTestBot(env: Record<string, string> = {}): TelegramBot {
    return newBot(
      botConfig({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, ...env }),
    );
  }

  beforeAll(() => {
    // No app here to route Nest's logger to pino; the failures these tests provoke would print.
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    telegram = await FakeTelegramBotApi.start({ botUsername: 'unit_bot' });
  });

  afterEach(async () => {
    await sut?.onModuleDestroy();
    sut = undefined;
    await redis?.close();
    redis = undefined;
    await telegram.close();
    await redisSpace.clear();
  });

  it('stays idle without a token: no Telegram calls, and stops cleanly', async () => {
    sut = newBot(botConfig({ TELEGRAM_API_ROOT: telegram.url }));
    sut.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(telegram.calls).toEqual([]);
    expect(sut.username).toBeUndefined();
  });

  it('gives up, idle, when Telegram refuses the token', async () => {
    const bot = newTestBot({ TELEGRAM_BOT_TOKEN: '42:not-the-fake-token' });
    bot.onApplicationBootstrap();
    await telegram.waitForCall('getMe', () => true, { since: 0 });
    // Longer than the bot's first retry delay (1 s): a bot that kept trying would call again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(telegram.calls).toEqual([
      expect.objectContaining({ method: 'getMe', error: 'Unauthorized' }),
    ]);
    expect(bot.username).toBeUndefined();
    await expect(bot.onModuleDestroy()).resolves.toBeUndefined();
    sut = undefined;
  });

  it('keeps retrying while Telegram is unreachable and still stops at once', async () => {
    const bot = newTestBot({ TELEGRAM_API_ROOT: `http://127.0.0.1:${await closedPort()}` });
    bot.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await bot.onModuleDestroy();
    sut = undefined;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  // What a service's refusal or outage makes the bot say is tested against the real services in
  // bot-platform.integration-spec.ts (a stopped events service, a deactivated member).
  it('turns an unexpected failure into an apology and keeps serving', async () => {
    const bot = newTestBot();
    bot.command('bug', 'profile', () =>
      Promise.reject(new TypeError('undefined is not a function')),
    );
    bot.command('ok', 'profile', async (ctx, payload) => {
      await ctx.reply(`ok ${payload}`);
    });
    bot.onApplicationBootstrap();
    await telegram.waitUntilPolling();

    const user = telegramUser({ language_code: 'en' });
    const ask = async (text: string) => {
      telegram.sendText(user, text);
      return textOf(await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id));
    };
    expect(await ask('/bug')).toBe('Something went wrong. Please try again.');
    expect(await ask('/ok still here')).toBe('ok still here');
    expect(bot.username).toBe('unit_bot');
  });

  it('answers a failed button press and says why in the chat', async () => {
    const bot = newTestBot();
    bot.command('menu', 'events', async (ctx) => {
      await ctx.reply('menu', Markup.inlineKeyboard([Markup.button.callback('Go', 'go')]));
    });
    bot.action(/^go$/, 'events', () => Promise.reject(new Error('lost the thread')));
    bot.onApplicationBootstrap();

    const user = telegramUser({ language_code: 'ru' });
    telegram.sendText(user, '/menu');
    const menu = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    const reply = await telegram.press(user, menu.result as TelegramMessage, 'go');
    expect(reply.text).toBe('Что-то пошло не так. Попробуйте ещё раз.');
  });

  it('does not hold one member up behind another member’s slow request', async () => {
    const bot = newTestBot();
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    bot.command('slow', 'events', async (ctx) => {
      await slow;
      await ctx.reply('slow done');
    });
    bot.command('fast', 'events', async (ctx) => {
      await ctx.reply('fast done');
    });
    bot.onApplicationBootstrap();

    const first = telegramUser();
    const second = telegramUser();
    telegram.sendText(first, '/slow');
    telegram.sendText(second, '/fast');
    const fast = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === second.id, {
      since: 0,
    });
    expect(textOf(fast)).toBe('fast done');
    release();
    await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === first.id, { since: 0 });
  });

  it('answers commands in private chats only, pointing group members to one', async () => {
    const bot = newTestBot();
    bot.command('login', 'login', async (ctx) => {
      await ctx.reply('secret link');
    });
    bot.onApplicationBootstrap();
    const user = telegramUser({ language_code: 'en' });
    const group = { id: -100123, title: 'Club chat' };
    telegram.sendText(user, '/login@unit_bot', { group });
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === group.id);
    expect(textOf(reply)).toBe(
      'Let’s talk in private, sign-in links are personal: https://t.me/unit_bot',
    );
    expect(telegram.calls.some((c) => c.params.text === 'secret link')).toBe(false);
  });

  it('answers what no feature handles: typed text with the command list, old buttons with a note', async () => {
    const bot = newTestBot();
    bot.command('menu', 'events', async (ctx) => {
      await ctx.reply('menu', Markup.inlineKeyboard([Markup.button.callback('Old', 'v0:old')]));
    });
    bot.onApplicationBootstrap();
    const user = telegramUser({ language_code: 'en' });
    telegram.sendText(user, 'hello?');
    const help = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    expect(textOf(help)).toContain('/login');

    telegram.sendText(user, '/menu');
    const menu = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    const queryId = telegram.pressButton(user, menu.result as TelegramMessage, 'v0:old');
    const answer = await telegram.waitForCall(
      'answerCallbackQuery',
      (c) => c.params.callback_query_id === queryId,
    );
    expect(answer.params.text).toBe('This button no longer works.');
  });

  it('registers the command menu in Russian by default and in English for English clients', async () => {
    newTestBot().onApplicationBootstrap();
    await telegram.waitUntilPolling();
    expect(telegram.commandsFor().map((c) => c.description)).toContain('Мой профиль');
    expect(telegram.commandsFor('en').map((c) => c.description)).toContain('My profile');
  });

  it('finishes the updates in progress when it stops', async () => {
    const bot = newTestBot();
    bot.command('work', 'events', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await ctx.reply('finished');
    });
    bot.onApplicationBootstrap();
    const user = telegramUser();
    telegram.sendText(user, '/work');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await bot.onModuleDestroy();
    sut = undefined;
    expect(
      telegram.calls.some((c) => c.method === 'sendMessage' && c.params.text === 'finished'),
    ).toBe(true);
  });
});
