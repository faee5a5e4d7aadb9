import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { PLATFORM_APPS, PlatformAppName } from '@up/testing';
import {
  ADMIN_TELEGRAM_ID,
  ClubFactory,
  freePort,
  Platform,
  RedisProcess,
  startPlatform,
  TelegramTestUser,
  telegramUser,
} from '@up/testing';

/**
 * docs/redis-acl.md's ACL lines, as written, on a redis-server of this test's own: every app runs
 * as its own Redis user through the platform's normal flows, and what an app has no business
 * doing is refused.
 */

const PREFIX = `acl${randomBytes(3).toString('hex')}`;

/** The `user ...` lines of the doc's acl block, with the prefix and a password per user filled in. */
function aclLines(passwords: Record<string, string>): Array<{ user: string; rules: string[] }> {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'redis-acl.md'), 'utf8');
  const block = /```acl\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  return block
    .split('\n')
    .filter((line) => line.startsWith('user '))
    .map((line) => {
      const [, user, ...rules] = line.trim().split(/\s+/);
      return {
        user,
        rules: rules.map((rule) =>
          rule.replaceAll('<prefix>', PREFIX).replace('<password>', passwords[user] ?? ''),
        ),
      };
    });
}

async function eventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`Not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis ACL users per app (docs/redis-acl.md)', () => {
  const passwords = Object.fromEntries(
    PLATFORM_APPS.map((app) => [app, randomBytes(16).toString('hex')]),
  );
  let redis: RedisProcess;
  let admin: Redis;
  let platform: Platform;
  const connections: Redis[] = [];

  const urlOf = (app: PlatformAppName) =>
    `redis://${app}:${passwords[app]}@127.0.0.1:${redis.port}`;

  function as(app: PlatformAppName): Redis {
    const connection = new Redis(urlOf(app), { maxRetriesPerRequest: 1 });
    connections.push(connection);
    return connection;
  }

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    admin = new Redis(redis.url);
    const lines = aclLines(passwords);
    expect(lines.map((line) => line.user).sort()).toEqual([...PLATFORM_APPS].sort());
    for (const { user, rules } of lines) await admin.call('ACL', 'SETUSER', user, ...rules);

    platform = await startPlatform({
      // The harness's own client and clean-up stay on the default user.
      env: {
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: PREFIX,
        // Telegram buttons take https links only.
        WEB_APP_URL: 'https://club.example',
        ...ClubFactory.env,
      },
      appEnv: Object.fromEntries(PLATFORM_APPS.map((app) => [app, { REDIS_URL: urlOf(app) }])),
      telegram: { botUsername: 'up_club_acl_bot' },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.close();
    for (const connection of connections) connection.disconnect();
    admin?.disconnect();
    await redis?.kill();
  });

  /**
   * A sign-in through the bot: its poll lease and update dedupe keys, `/login`'s rate limit, a call
   * to users and auth-codes; then the gateway's callback (auth-codes, users, rate limits).
   */
  async function signInByBot(user: TelegramTestUser): Promise<string> {
    await platform.telegram.ask(user, '/start');
    const reply = await platform.telegram.ask(user, '/login');
    const link = (reply.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.url)?.url;
    expect(link).toEqual(expect.any(String));
    const code = new URL(link ?? 'http://x').searchParams.get('code');
    const signIn = await platform.api.post<{ access_token: string }>('/api/auth/callback', {
      body: { code },
    });
    expect(signIn.status).toBe(200);
    return signIn.json.access_token;
  }

  it('runs the platform: readiness, bot login, email sign-up and sign-in, joining a paid event', async () => {
    expect((await platform.api.get('/ready')).status).toBe(200);

    const user = telegramUser();
    const accessToken = await signInByBot(user);
    const me = await platform.api.get('/api/users/me', { token: accessToken });
    expect(me.status).toBe(200);
    // A second read finds the profile version the users service wrote.
    const etag = me.headers.get('etag') ?? '';
    const again = await platform.api.get('/api/users/me', {
      token: accessToken,
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);

    const email = `acl-${randomBytes(4).toString('hex')}@example.com`;
    const register = await platform.api.post('/api/auth/register', {
      body: { email, password: 'a long password', full_name: 'Acl Member' },
    });
    expect(register.status).toBe(201);
    const token = await platform.api.post<{ access_token: string }>('/api/auth/token', {
      body: { email, password: 'a long password' },
    });
    expect(token.status).toBe(200);
    // A wrong password counts a failure for the account (the gateway's Lua script, TIME).
    const wrong = await platform.api.post('/api/auth/token', {
      body: { email, password: 'not the password' },
    });
    expect(wrong.status).toBe(401);

    // events calls users (debit), both publish events, users consumes event.participant_joined.
    const club = new ClubFactory(platform);
    const event = await club.event({ price: 10 });
    await club.grantCoins(String(me.json.id), 25);
    const since = platform.telegram.mark();
    const join = await platform.api.post(`/api/v1/events/${event.id}/join`, {
      token: accessToken,
    });
    expect(join.status).toBe(201);
    expect(await club.balanceOf(String(me.json.id))).toBe(15);
    // The bot consumes event.participant_joined and tells the member through its delivery queue.
    await platform.telegram.waitForCall('sendMessage', (call) => call.params.chat_id === user.id, {
      since,
      timeoutMs: 15_000,
    });
    // The gateway calls the bot, which reads its delivery queue's broadcasts.
    const adminToken = await signInByBot(telegramUser({ id: ADMIN_TELEGRAM_ID }));
    const broadcasts = await platform.api.get('/api/admin/broadcasts', { token: adminToken });
    expect(broadcasts.status).toBe(200);

    // Every request was handled and deleted (XDEL allowed), and users took the join event.
    await eventually(async () => {
      const lengths = await Promise.all(
        ['users', 'auth-codes', 'events', 'bot'].map((service) =>
          admin.xlen(`${PREFIX}:bus:req:${service}`),
        ),
      );
      return lengths.every((length) => length === 0);
    });
    const joined = `${PREFIX}:bus:evt:event.participant_joined`;
    expect(await admin.xlen(joined)).toBe(1);
    await eventually(async () => {
      const groups = (await admin.call('XINFO', 'GROUPS', joined)) as unknown[][];
      const users = groups.find((group) => group[group.indexOf('name') + 1] === 'users');
      return (
        users !== undefined &&
        users[users.indexOf('pending') + 1] === 0 &&
        users[users.indexOf('last-delivered-id') + 1] !== '0-0'
      );
    });
  });

  it.each([
    ['gateway', ['XRANGE', `${PREFIX}:bus:req:users`, '-', '+']],
    ['gateway', ['XREADGROUP', 'GROUP', 'users', 'x', 'STREAMS', `${PREFIX}:bus:req:users`, '>']],
    ['gateway', ['GET', `${PREFIX}:auth:login-code:x`]],
    ['gateway', ['SET', `${PREFIX}:users:profile-version:x`, '1']],
    ['gateway', ['PUBLISH', `${PREFIX}:bus:reply:bot:x`, 'forged']],
    ['gateway', ['KEYS', '*']],
    ['gateway', ['GET', `${PREFIX}:bot:poll-lease:x`]],
    ['gateway', ['HGETALL', `${PREFIX}:{bot-delivery}:msg:x`]],
    ['gateway', ['PUBLISH', `${PREFIX}:bot:profile-invalidations`, '{}']],
    ['bot', ['XADD', `${PREFIX}:bus:evt:member.deleted`, '*', 'm', '{}']],
    ['bot', ['XRANGE', `${PREFIX}:bus:req:users`, '-', '+']],
    ['bot', ['DEL', `${PREFIX}:gateway:login-failures:x`]],
    ['bot', ['ZRANGE', `${PREFIX}:auth:login-codes-of:x`, '0', '-1']],
    ['bot', ['PUBLISH', `${PREFIX}:bus:reply:users:x`, 'forged']],
    ['events', ['XADD', `${PREFIX}:bus:req:auth-codes`, '*', 'm', '{}']],
    ['events', ['XRANGE', `${PREFIX}:bus:req:users`, '-', '+']],
    ['events', ['XADD', `${PREFIX}:bus:evt:member.coins_changed`, '*', 'm', '{}']],
    [
      'users',
      ['XREADGROUP', 'GROUP', 'auth-codes', 'x', 'STREAMS', `${PREFIX}:bus:req:auth-codes`, '>'],
    ],
    ['users', ['GET', `${PREFIX}:auth:login-code:x`]],
    ['users', ['XADD', `${PREFIX}:bus:req:bot`, '*', 'm', '{}']],
    ['users', ['SET', `${PREFIX}:bot:poll-lease:x`, 'me']],
    ['events', ['SET', `${PREFIX}:{bot-delivery}:msg:x`, '1']],
    ['auth-codes', ['XADD', `${PREFIX}:bus:req:users`, '*', 'm', '{}']],
    ['auth-codes', ['SUBSCRIBE', `${PREFIX}:bus:reply:auth-codes:x`]],
    ['auth-codes', ['FLUSHALL']],
    ['auth-codes', ['CONFIG', 'SET', 'requirepass', 'x']],
  ] as Array<[PlatformAppName, string[]]>)('refuses %s: %j', async (app, [command, ...args]) => {
    await expect(as(app).call(command, ...args)).rejects.toThrow(/NOPERM/);
  });

  it("refuses a subscription to another app's replies", async () => {
    // The bot answers the gateway, so it holds the gateway's reply channels; not those of users.
    const bot = as('bot');
    await expect(bot.subscribe(`${PREFIX}:bus:reply:users:x`)).rejects.toThrow(/NOPERM/);
    const gateway = as('gateway');
    await expect(gateway.subscribe(`${PREFIX}:bus:reply:bot:x`)).rejects.toThrow(/NOPERM/);
  });
});
