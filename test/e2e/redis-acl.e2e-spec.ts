import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { BusKeys } from '@up/bus';
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
const keys = new BusKeys(PREFIX);
const req = (service: string) => keys.requestStream(service);
const evt = (event: string) => keys.eventStream(event);
const dlq = (stream: string) => keys.deadLetterStream(stream);
const reply = (app: string) => keys.replyChannel(app, 'x');
// The apps' own keys have no exported builder: spelled as libs/bus/README.md's "Redis layout".
const loginCode = `${PREFIX}:auth:login-code:x`;
const codesOf = `${PREFIX}:{auth:codes:x}`;

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
    await admin.call('ACL', 'LOG', 'RESET');

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
    // On a loaded machine the bot's first call to a service can time out (the bot then answers
    // "unavailable"): a member would ask again, and so does the test, at most three times. A
    // permission the ACL lacks fails every time, so this still tests the lines.
    let link: string | undefined;
    const replies: string[] = [];
    for (let attempt = 0; attempt < 3 && link === undefined; attempt++) {
      const reply = await platform.telegram.ask(user, '/login');
      replies.push(reply.text ?? '');
      link = (reply.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.url)?.url;
    }
    expect({ link, replies }).toEqual({ link: expect.any(String), replies: expect.any(Array) });
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
        ['users', 'auth-codes', 'events', 'bot'].map((service) => admin.xlen(req(service))),
      );
      return lengths.every((length) => length === 0);
    });
    const joined = evt('event.participant_joined');
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

    // Nothing the apps did was refused a key or a channel, not even where a failure is only
    // logged (ACL LOG also lists refused commands: ioredis's CLIENT SETINFO, see the doc).
    const log = (await admin.call('ACL', 'LOG')) as unknown[][];
    const refused = log
      .map((entry) => ({
        reason: entry[entry.indexOf('reason') + 1],
        object: entry[entry.indexOf('object') + 1],
        user: entry[entry.indexOf('username') + 1],
      }))
      .filter((entry) => entry.reason !== 'command');
    expect(refused).toEqual([]);
  });

  it.each([
    ['gateway', ['XRANGE', req('users'), '-', '+']],
    ['gateway', ['XREADGROUP', 'GROUP', 'users', 'x', 'STREAMS', req('users'), '>']],
    // Its request streams are exact names: a dead-letter stream is not one of them.
    ['gateway', ['XADD', dlq(req('users')), '*', 'm', '{}']],
    ['gateway', ['GET', loginCode]],
    ['gateway', ['SET', `${PREFIX}:users:profile-version:x`, '1']],
    ['gateway', ['PUBLISH', reply('bot'), 'forged']],
    ['gateway', ['KEYS', '*']],
    ['gateway', ['GET', `${PREFIX}:bot:poll-lease:x`]],
    ['gateway', ['HGETALL', `${PREFIX}:{bot-delivery}:msg:x`]],
    ['gateway', ['PUBLISH', `${PREFIX}:bot:profile-invalidations`, '{}']],
    ['bot', ['XADD', evt('member.deleted'), '*', 'm', '{}']],
    ['bot', ['XADD', dlq(evt('member.deleted')), '*', 'm', '{}']],
    ['bot', ['XRANGE', req('users'), '-', '+']],
    // Dead letters are written, never read back.
    ['bot', ['XRANGE', dlq(evt('event.participant_joined')), '-', '+']],
    ['bot', ['DEL', `${PREFIX}:gateway:login-failures:x`]],
    ['bot', ['ZRANGE', codesOf, '0', '-1']],
    ['bot', ['PUBLISH', reply('users'), 'forged']],
    ['events', ['XADD', req('auth-codes'), '*', 'm', '{}']],
    ['events', ['XRANGE', req('users'), '-', '+']],
    ['events', ['XADD', evt('member.coins_changed'), '*', 'm', '{}']],
    ['events', ['XADD', dlq(req('users')), '*', 'm', '{}']],
    ['events', ['XRANGE', dlq(req('events')), '-', '+']],
    ['users', ['XREADGROUP', 'GROUP', 'auth-codes', 'x', 'STREAMS', req('auth-codes'), '>']],
    ['users', ['GET', loginCode]],
    ['users', ['ZADD', codesOf, '1', 'x']],
    ['users', ['XADD', req('bot'), '*', 'm', '{}']],
    // It publishes member.*, but may not fill their dead letters (it consumes none of them).
    ['users', ['XADD', dlq(evt('member.updated')), '*', 'm', '{}']],
    ['users', ['XADD', dlq(req('bot')), '*', 'm', '{}']],
    ['users', ['SET', `${PREFIX}:bot:poll-lease:x`, 'me']],
    ['users', ['SET', `${PREFIX}:bot:{updates:1}:1`, '1', 'NX']],
    ['events', ['SET', `${PREFIX}:{bot-delivery}:msg:x`, '1']],
    ['auth-codes', ['XADD', req('users'), '*', 'm', '{}']],
    ['auth-codes', ['XADD', dlq(req('users')), '*', 'm', '{}']],
    ['auth-codes', ['SUBSCRIBE', reply('auth-codes')]],
    ['auth-codes', ['FLUSHALL']],
    ['auth-codes', ['CONFIG', 'SET', 'requirepass', 'x']],
  ] as Array<[PlatformAppName, string[]]>)('refuses %s: %j', async (app, [command, ...args]) => {
    await expect(as(app).call(command, ...args)).rejects.toThrow(/NOPERM/);
  });

  // The platform's flows dead-letter nothing, so each service's dead-letter streams are tried
  // directly: the XADD a dead letter is, on every stream the service consumes.
  it.each([
    ['bot', dlq(req('bot'))],
    ['bot', dlq(evt('event.participant_joined'))],
    ['bot', dlq(evt('member.updated'))],
    ['bot', dlq(evt('member.coins_changed'))],
    ['users', dlq(req('users'))],
    ['users', dlq(evt('event.participant_joined'))],
    ['auth-codes', dlq(req('auth-codes'))],
    ['events', dlq(req('events'))],
    ['events', dlq(evt('member.deleted'))],
  ] as Array<[PlatformAppName, string]>)(
    'lets %s write the dead letters of %s',
    async (app, stream) => {
      await expect(as(app).xadd(stream, '*', 'dlq_reason', 'acl test')).resolves.toEqual(
        expect.any(String),
      );
    },
  );

  it("refuses a subscription to another app's replies", async () => {
    // The bot answers the gateway, so it holds the gateway's reply channels; not those of users.
    const bot = as('bot');
    await expect(bot.subscribe(reply('users'))).rejects.toThrow(/NOPERM/);
    const gateway = as('gateway');
    await expect(gateway.subscribe(reply('bot'))).rejects.toThrow(/NOPERM/);
  });
});
