import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { loadConfig } from '@up/config';
import {
  createTestRedisSpace,
  FakeTelegramBotApi,
  RecordedCall,
  telegramUser,
  TelegramMessage,
  TelegramTestUser,
} from '@up/testing';
import { BotConfig } from '../config/bot.config';
import { TelegramBot } from './telegram-bot.service';
import { TelegramRedis } from './telegram-redis';

const redisSpace = createTestRedisSpace();
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';
const WEBHOOK_PATH = '/telegram/webhook';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function textOf(call: RecordedCall): string {
  return (call.result as TelegramMessage).text ?? '';
}

function conflicts(telegram: FakeTelegramBotApi): RecordedCall[] {
  return telegram.calls.filter((c) => c.method === 'getUpdates' && c.error !== undefined);
}

/** Log lines of one level whose message contains `text` (Nest's Logger: message last or first). */
function linesWith(spy: jest.SpyInstance, text: string): unknown[][] {
  return spy.mock.calls.filter((args: unknown[]) =>
    args.some((arg) => typeof arg === 'string' && arg.includes(text)),
  );
}

/** Retries `check` until it passes (or 5 s have gone): for what happens on a timer of the bot's. */
async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('receiving updates', () => {
  let telegram: FakeTelegramBotApi;
  let running: { bot: TelegramBot; redis: TelegramRedis }[];

  /** A bot replica named `name`: `/who` answers with its name. */
  function newReplica(name: string, env: Record<string, string> = {}): TelegramBot {
    const config = loadConfig(BotConfig, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SHUTDOWN_TIMEOUT_SECONDS: '2',
      REDIS_URL: redisSpace.url,
      REDIS_KEY_PREFIX: redisSpace.prefix,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      BOT_POLL_LEASE_SECONDS: '2',
      ...env,
    });
    const redis = new TelegramRedis(config);
    const bot = new TelegramBot(config, redis);
    bot.command('who', 'profile', async (ctx) => {
      await ctx.reply(name);
    });
    running.push({ bot, redis });
    bot.onApplicationBootstrap();
    return bot;
  }

  /** Who answers `user`'s next `/who`. */
  async function whoAnswers(user: TelegramTestUser): Promise<string> {
    telegram.sendText(user, '/who');
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id, {
      timeoutMs: 8000,
    });
    return textOf(reply);
  }

  beforeAll(() => {
    // No app here to route Nest's logger to pino; the failures these tests provoke would print.
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    running = [];
    telegram = await FakeTelegramBotApi.start({ botUsername: 'replicas_bot' });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const { bot, redis } of running) {
      await bot.onModuleDestroy();
      await redis.close();
    }
    await telegram.close();
    await redisSpace.clear();
  });

  describe('by webhook', () => {
    async function webhookReplica(name: string): Promise<{ bot: TelegramBot; url: string }> {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
      const since = telegram.mark();
      const bot = newReplica(name, {
        TELEGRAM_WEBHOOK_URL: url,
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        BOT_HTTP_PORT: String(port),
      });
      await telegram.waitForCall('setWebhook', (c) => c.params.url === url, { since });
      return { bot, url };
    }

    function post(url: string, body: unknown, secret?: string): Promise<Response> {
      return fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
        },
        body: JSON.stringify(body),
      });
    }

    it('registers the webhook with its secret and answers what Telegram posts there', async () => {
      const { url } = await webhookReplica('a');

      const registered = await telegram.waitForCall('setWebhook', () => true, { since: 0 });
      expect(registered.params).toMatchObject({
        url,
        secret_token: WEBHOOK_SECRET,
        drop_pending_updates: false,
      });
      expect(await whoAnswers(telegramUser())).toBe('a');
      expect(telegram.webhookDeliveries.map((d) => d.status)).toEqual([200]);
      expect(telegram.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    });

    it('refuses a request without the right secret with 401 and handles nothing', async () => {
      const { url } = await webhookReplica('a');
      const user = telegramUser();
      const update = { update_id: 900_001, message: telegram.sendText(user, '/who') };
      await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      const since = telegram.mark();

      const wrong = await post(url, { ...update, update_id: 900_002 }, `${WEBHOOK_SECRET}x`);
      const missing = await post(url, { ...update, update_id: 900_003 });
      const elsewhere = await post(url.replace(WEBHOOK_PATH, '/other'), update, WEBHOOK_SECRET);

      expect([wrong.status, missing.status, elsewhere.status]).toEqual([401, 401, 404]);
      // A later update of the same chat is answered; the refused ones before it were not.
      const next = await post(url, { ...update, update_id: 900_004 }, WEBHOOK_SECRET);
      expect(next.status).toBe(200);
      await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id, { since });
      expect(
        telegram.calls.filter((c) => c.seq > since && c.method === 'sendMessage'),
      ).toHaveLength(1);
    });

    it('handles an update_id once when it reaches two replicas', async () => {
      const a = await webhookReplica('a');
      const b = await webhookReplica('b');
      const user = telegramUser();
      const message = telegram.sendText(user, '/who');
      await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
      const since = telegram.mark();
      const update = { update_id: 700_001, message };

      expect((await post(a.url, update, WEBHOOK_SECRET)).status).toBe(200);
      expect((await post(b.url, update, WEBHOOK_SECRET)).status).toBe(200);
      expect((await post(a.url, update, WEBHOOK_SECRET)).status).toBe(200);
      // Then the chat's next update on each replica: each handles a chat's updates in order, so
      // once both are answered, any copy of the first that either replica took has been too.
      const hello = { ...message, text: 'hello', entities: undefined };
      for (const [replica, updateId] of [
        [a, 700_002],
        [b, 700_003],
      ] as const) {
        const next = { update_id: updateId, message: hello };
        expect((await post(replica.url, next, WEBHOOK_SECRET)).status).toBe(200);
      }
      const replies = () =>
        telegram.calls.filter((c) => c.seq > since && c.method === 'sendMessage').map(textOf);
      const isWho = (text: string) => text === 'a' || text === 'b';
      await eventually(() => expect(replies().filter((text) => !isWho(text))).toHaveLength(2));
      const answers = replies().filter(isWho);
      expect(answers).toHaveLength(1);
    });
  });

  describe('by polling', () => {
    it('lets one of two replicas poll, without a single 409', async () => {
      newReplica('a');
      await telegram.waitUntilPolling();
      newReplica('b');

      const answers = new Set<string>();
      for (let i = 0; i < 5; i += 1) answers.add(await whoAnswers(telegramUser()));

      expect(answers).toEqual(new Set(['a']));
      expect(conflicts(telegram)).toEqual([]);
    });

    it('hands polling to the standby once a killed poller’s lease expires', async () => {
      const a = newReplica('a');
      await telegram.waitUntilPolling();
      newReplica('b');
      expect(await whoAnswers(telegramUser())).toBe('a');

      // As SIGKILL: the poll is cut off, nothing is given back, and a's Redis goes with it.
      await a.abandon();
      running[0].redis.client.disconnect();

      expect(await whoAnswers(telegramUser())).toBe('b');
      expect(await whoAnswers(telegramUser())).toBe('b');
      expect(conflicts(telegram)).toEqual([]);
    });

    it('stops polling when its lease is taken away, and polls again once it is free', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      newReplica('a');
      await telegram.waitUntilPolling();
      const redis = new Redis(redisSpace.url);
      try {
        const [leaseKey] = await redis.keys(`${redisSpace.prefix}:bot:poll-lease:*`);
        // Another holder for a second: a's next renewal finds the lease gone.
        await redis.set(leaseKey, 'someone-else', 'PX', 1000);
        await eventually(() => expect(linesWith(warn, 'Lost the polling lease')).toHaveLength(1));

        expect(await whoAnswers(telegramUser())).toBe('a');
        expect(await redis.get(leaseKey)).not.toBe('someone-else');
        expect(conflicts(telegram)).toEqual([]);
      } finally {
        redis.disconnect();
      }
    });

    it('removes a leftover webhook once before polling', async () => {
      telegram.setWebhook({ url: 'https://old.example/hook' });
      newReplica('a');

      expect(await whoAnswers(telegramUser())).toBe('a');
      expect(telegram.webhook).toBeUndefined();
      expect(telegram.calls.filter((c) => c.method === 'deleteWebhook')).toEqual([
        expect.objectContaining({ params: { drop_pending_updates: false } }),
      ]);
      expect(conflicts(telegram)).toEqual([]);
    });

    it('retries failed polls with backoff that starts over after a success', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      newReplica('a');
      await telegram.waitUntilPolling();
      const retryDelays = () =>
        linesWith(warn, 'getUpdates failed').map(
          (args) => (args[0] as { retryInMs: number }).retryInMs,
        );

      const badGateway = { status: 'error', errorCode: 502, description: 'Bad Gateway' } as const;
      telegram.fail({ answer: badGateway, methods: ['getUpdates'], times: 2 });
      expect(await whoAnswers(telegramUser())).toBe('a');
      expect(await whoAnswers(telegramUser())).toBe('a');
      telegram.fail({ answer: badGateway, methods: ['getUpdates'], times: 1 });
      expect(await whoAnswers(telegramUser())).toBe('a');
      expect(await whoAnswers(telegramUser())).toBe('a');

      const [first, second, afterSuccess] = retryDelays();
      expect(first).toBe(1000);
      expect(second).toBeGreaterThanOrEqual(1000);
      // Without the reset this would be the third failure in a row: 2..4 s.
      expect(afterSuccess).toBe(1000);
    });

    it('stops with one log line when Telegram refuses the token while polling', async () => {
      const error = jest.spyOn(Logger.prototype, 'error');
      newReplica('a');
      await telegram.waitUntilPolling();

      telegram.fail({
        answer: { status: 'error', errorCode: 401, description: 'Unauthorized' },
        methods: ['getUpdates'],
      });
      telegram.sendText(telegramUser(), '/who');
      await telegram.waitForCall('getUpdates', (c) => c.error === 'Unauthorized');
      // Longer than the first retry delay (1 s): a poller that kept trying would call again.
      await new Promise((resolve) => setTimeout(resolve, 1500));

      expect(telegram.calls.filter((c) => c.error === 'Unauthorized')).toHaveLength(1);
      expect(error.mock.calls).toEqual([
        [expect.stringContaining('Telegram refused TELEGRAM_BOT_TOKEN (401 on getUpdates)')],
      ]);
    });
  });

  it('answers /start while setMyCommands keeps failing, and sets the menu once it works', async () => {
    const flood = telegram.fail({
      answer: { status: 429, retryAfter: 1 },
      methods: ['setMyCommands'],
    });
    const bot = newReplica('a');
    bot.command('start', 'start', async (ctx) => {
      await ctx.reply('welcome');
    });
    const user = telegramUser();
    telegram.sendText(user, '/start');
    const reply = await telegram.waitForCall('sendMessage', (c) => c.params.chat_id === user.id);
    expect(textOf(reply)).toBe('welcome');
    expect(telegram.calls.some((c) => c.method === 'setMyCommands' && c.error)).toBe(true);
    expect(telegram.commandsFor()).toEqual([]);

    flood.remove();
    await telegram.waitForCall(
      'setMyCommands',
      (c) => c.params.language_code === 'en' && !c.error,
      {
        since: 0,
        timeoutMs: 8000,
      },
    );
    expect(telegram.commandsFor('en').map((c) => c.command)).toContain('start');
  });
});
