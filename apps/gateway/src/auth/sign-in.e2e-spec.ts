import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { AUTH, ErrorCode } from '@up/contracts';
import { ApiRequestOptions, ApiResponse, Platform, startPlatform } from '@up/testing';
import { loginWidgetSecret, miniAppSecret, signDataCheckString } from './telegram-auth';

const BOT_TOKEN = '123456789:e2e-test-bot-token_ABCdef';

type Json = Record<string, unknown>;

/**
 * Sign-in through the real gateway, users and auth-codes apps. The gateway trusts the proxy here
 * (TRUST_PROXY=true), so each test speaks from an X-Forwarded-For address of its own and the
 * per-IP rate limits of one test never spill into another.
 */
describe('sign-in (e2e)', () => {
  let platform: Platform;
  let nextAddress = 1;

  const newClientAddress = () =>
    `10.1.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

  /** An API client speaking from one client address (through the trusted proxy). */
  function client(address = newClientAddress()) {
    const withAddress = (options: ApiRequestOptions = {}): ApiRequestOptions => ({
      ...options,
      headers: { 'x-forwarded-for': address, ...options.headers },
    });
    return {
      address,
      get: (path: string, options?: ApiRequestOptions) =>
        platform.api.get<Json>(path, withAddress(options)),
      post: (path: string, options?: ApiRequestOptions) =>
        platform.api.post<Json>(path, withAddress(options)),
    };
  }

  const newMember = () => ({
    email: `member-${randomUUID()}@example.org`,
    password: `pw-${randomBytes(8).toString('hex')}`,
    full_name: 'Ada Lovelace',
  });

  async function register(member = newMember()) {
    const response = await client().post('/api/auth/register', { body: member });
    expect(response.status).toBe(201);
    return {
      member,
      body: response.json as Json & { user: Json; access_token: string; refresh_token: string },
    };
  }

  const freshWidgetData = (fields: Record<string, string | number>) => {
    const map = new Map(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    return { ...fields, hash: signDataCheckString(loginWidgetSecret(BOT_TOKEN), map) };
  };

  const freshInitData = (user: Json) => {
    const fields = {
      query_id: 'AAE2e',
      user: JSON.stringify(user),
      auth_date: String(Math.floor(Date.now() / 1000)),
    };
    const hash = signDataCheckString(miniAppSecret(BOT_TOKEN), new Map(Object.entries(fields)));
    return new URLSearchParams({ ...fields, hash }).toString();
  };

  const expectSignedIn = (response: ApiResponse<Json>) => {
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      token: response.json.access_token,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      user: expect.objectContaining({
        id: expect.any(String),
        referral_code: expect.stringMatching(/^UP-/),
      }),
    });
  };

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN },
      appEnv: { gateway: { TRUST_PROXY: 'true' } },
    });
  });

  afterAll(() => platform?.close());

  describe('POST /api/auth/register', () => {
    it('creates the member and signs them in (201)', async () => {
      const { member, body } = await register();
      expect(body).toEqual({
        user: expect.objectContaining({
          email: member.email,
          full_name: 'Ada Lovelace',
          role: 'member',
        }),
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
      });
      expect(body.user.last_login).toEqual(expect.any(String));
      const me = await platform.api.get('/api/users/me', { token: body.access_token });
      expect(me.status).toBe(200);
      expect(me.json.id).toBe(body.user.id);
    });

    it('answers 409 for a taken email and 400 for a bad email or a short password', async () => {
      const { member } = await register();
      const api = client();
      expect((await api.post('/api/auth/register', { body: member })).status).toBe(409);
      const badEmail = await api.post('/api/auth/register', {
        body: { ...newMember(), email: 'not-an-email' },
      });
      expect(badEmail.status).toBe(400);
      expect(badEmail.json.fields).toHaveProperty('email');
      const shortPassword = await api.post('/api/auth/register', {
        body: { ...newMember(), password: 'short' },
      });
      expect(shortPassword.status).toBe(400);
      expect(shortPassword.json.fields).toHaveProperty('password');
    });
  });

  describe('POST /api/auth/token', () => {
    it('logs in with JSON and with an OAuth2 password form', async () => {
      const { member } = await register();
      const api = client();
      const json = await api.post('/api/auth/token', {
        body: { email: member.email, password: member.password },
      });
      expect(json.status).toBe(200);
      expect(json.json).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
      });
      const form = await api.post('/api/auth/token', {
        form: { grant_type: 'password', username: member.email, password: member.password },
      });
      expect(form.status).toBe(200);
      expect(form.json.token_type).toBe('bearer');
      const me = await platform.api.get('/api/users/me', {
        token: form.json.access_token as string,
      });
      expect(me.json.email).toBe(member.email);
    });

    it('answers an unknown email and a wrong password with the same 401', async () => {
      const { member } = await register();
      const api = client();
      const wrong = await api.post('/api/auth/token', {
        body: { email: member.email, password: 'wrong-password' },
      });
      const unknown = await api.post('/api/auth/token', {
        body: { email: `nobody-${randomUUID()}@example.org`, password: member.password },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.json.message).toBe(unknown.json.message);
      expect(wrong.json.code).toBe(ErrorCode.INVALID_CREDENTIALS);
    });
  });

  describe('refresh tokens', () => {
    it('rotate on refresh; a rotated token presented again revokes the family', async () => {
      const { body } = await register();
      const api = client();
      const first = await api.post('/api/auth/refresh', {
        body: { refresh_token: body.refresh_token },
      });
      expect(first.status).toBe(200);
      expect(first.json).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
      });
      expect(first.json.refresh_token).not.toBe(body.refresh_token);
      expect(
        (await platform.api.get('/api/users/me', { token: first.json.access_token as string }))
          .status,
      ).toBe(200);

      const replay = await api.post('/api/auth/refresh', {
        body: { refresh_token: body.refresh_token },
      });
      expect(replay.status).toBe(401);
      expect(replay.json.code).toBe(ErrorCode.INVALID_REFRESH_TOKEN);
      // The family is gone: the token issued by the legitimate refresh stops working too.
      const afterReuse = await api.post('/api/auth/refresh', {
        body: { refresh_token: first.json.refresh_token },
      });
      expect(afterReuse.status).toBe(401);
    });

    it('logout answers 204 and ends the family', async () => {
      const { body } = await register();
      const api = client();
      const logout = await api.post('/api/auth/logout', {
        body: { refresh_token: body.refresh_token },
      });
      expect(logout.status).toBe(204);
      expect(logout.text).toBe('');
      expect(
        (await api.post('/api/auth/refresh', { body: { refresh_token: body.refresh_token } }))
          .status,
      ).toBe(401);
      // Unknown tokens log out the same way.
      expect(
        (await api.post('/api/auth/logout', { body: { refresh_token: 'unknown' } })).status,
      ).toBe(204);
    });

    it('a refresh token is not an access token', async () => {
      const { body } = await register();
      expect((await platform.api.get('/api/users/me', { token: body.refresh_token })).status).toBe(
        401,
      );
    });
  });

  describe('POST /api/auth/callback', () => {
    const issueCode = (memberId: string, telegramId?: number) =>
      platform.bus.send(AUTH.ISSUE_LOGIN_CODE, {
        member_id: memberId,
        ...(telegramId === undefined ? {} : { telegram_id: telegramId }),
      });

    it('exchanges a code given as query parameters, once', async () => {
      const { body } = await register();
      const { code } = await issueCode(body.user.id as string);
      const api = client();
      const first = await api.post('/api/auth/callback', { query: { code } });
      expectSignedIn(first);
      expect((first.json.user as Json).id).toBe(body.user.id);
      const second = await api.post('/api/auth/callback', { query: { code } });
      expect(second.status).toBe(401);
      expect(second.json.message).toBe('Invalid or expired auth code');
    });

    it('exchanges a code given in a JSON body, with its telegram_id', async () => {
      const telegramId = 7_000_000 + Math.floor(Math.random() * 1_000_000);
      const signedIn = await client().post('/api/auth/telegram', {
        body: freshWidgetData({
          id: telegramId,
          first_name: 'Tg',
          auth_date: Math.floor(Date.now() / 1000),
        }),
      });
      const memberId = (signedIn.json.user as Json).id as string;
      const { code } = await issueCode(memberId, telegramId);
      const api = client();
      const mismatched = await api.post('/api/auth/callback', {
        body: { code, telegram_id: telegramId + 1 },
      });
      expect(mismatched.status).toBe(401);
      expect(mismatched.json.message).toBe('Invalid or expired auth code');
      const matched = await api.post('/api/auth/callback', {
        body: { code, telegram_id: telegramId },
      });
      expectSignedIn(matched);
      expect((matched.json.user as Json).telegram_id).toBe(telegramId);
    });

    it('refuses unknown codes with 401 and a missing code with 400', async () => {
      const api = client();
      const unknown = await api.post('/api/auth/callback', {
        query: { code: randomBytes(32).toString('base64url') },
      });
      expect(unknown.status).toBe(401);
      expect(unknown.json).toMatchObject({
        statusCode: 401,
        message: 'Invalid or expired auth code',
        detail: 'Invalid or expired auth code',
      });
      expect((await api.post('/api/auth/callback')).status).toBe(400);
    });

    it('lets exactly one of concurrent exchanges of one code through', async () => {
      const { body } = await register();
      const { code } = await issueCode(body.user.id as string);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => client().post('/api/auth/callback', { query: { code } })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
    });
  });

  describe('POST /api/auth/generate-code', () => {
    it('issues a code for a Bearer caller that signs them in elsewhere', async () => {
      const { body } = await register();
      const api = client();
      const generated = await api.post('/api/auth/generate-code', { token: body.access_token });
      expect(generated.status).toBe(200);
      expect(generated.json).toEqual({
        code: expect.any(String),
        expires_in: 600,
        url: `http://localhost:5173/auth/callback?code=${generated.json.code}`,
      });
      const exchanged = await api.post('/api/auth/callback', {
        query: { code: generated.json.code as string },
      });
      expectSignedIn(exchanged);
      expect((exchanged.json.user as Json).id).toBe(body.user.id);
    });

    it('issues a code for a Telegram Mini App user (Authorization: tma)', async () => {
      const telegramId = 8_000_000 + Math.floor(Math.random() * 1_000_000);
      const api = client();
      const generated = await api.post('/api/auth/generate-code', {
        headers: {
          authorization: `tma ${freshInitData({ id: telegramId, first_name: 'Mini', language_code: 'en' })}`,
        },
      });
      expect(generated.status).toBe(200);
      const exchanged = await api.post('/api/auth/callback', {
        query: { code: generated.json.code as string, telegram_id: telegramId },
      });
      expectSignedIn(exchanged);
      expect((exchanged.json.user as Json).telegram_id).toBe(telegramId);
    });

    it('takes Mini App init data once: a replay is 401, the access token works from then on', async () => {
      const telegramId = 8_000_000 + Math.floor(Math.random() * 1_000_000);
      const initData = freshInitData({ id: telegramId, first_name: 'Mini' });
      const api = client();
      const first = await api.post('/api/auth/generate-code', {
        headers: { authorization: `tma ${initData}` },
      });
      expect(first.status).toBe(200);
      const replay = await client().post('/api/auth/generate-code', {
        headers: { authorization: `tma ${initData}` },
      });
      expect(replay.status).toBe(401);
      expect(replay.json.code).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);

      const signedIn = await api.post('/api/auth/callback', {
        query: { code: first.json.code as string },
      });
      const again = await api.post('/api/auth/generate-code', {
        token: signedIn.json.access_token as string,
      });
      expect(again.status).toBe(200);
    });

    it('refuses missing, forged or foreign credentials with 401', async () => {
      const api = client();
      expect((await api.post('/api/auth/generate-code')).status).toBe(401);
      const forged = freshInitData({ id: 1, first_name: 'Eve' }).replace(
        /hash=[0-9a-f]{4}/,
        'hash=0000',
      );
      expect(
        (await api.post('/api/auth/generate-code', { headers: { authorization: `tma ${forged}` } }))
          .status,
      ).toBe(401);
      expect(
        (await api.post('/api/auth/generate-code', { headers: { authorization: 'Basic abc' } }))
          .status,
      ).toBe(401);
    });
  });

  describe('POST /api/auth/telegram', () => {
    it('creates the member on first sign-in and finds them afterwards', async () => {
      const telegramId = 9_000_000 + Math.floor(Math.random() * 1_000_000);
      const api = client();
      const now = Math.floor(Date.now() / 1000);
      const first = await api.post('/api/auth/telegram', {
        body: freshWidgetData({
          id: telegramId,
          first_name: 'Grace',
          username: 'grace_h',
          auth_date: now,
        }),
      });
      expectSignedIn(first);
      expect(first.json.user).toMatchObject({ telegram_id: telegramId, username: 'grace_h' });
      const again = await api.post('/api/auth/telegram', {
        body: freshWidgetData({ id: telegramId, first_name: 'Grace', auth_date: now }),
      });
      expectSignedIn(again);
      expect((again.json.user as Json).id).toBe((first.json.user as Json).id);
    });

    it('takes each signed payload once: a replay is 401, remembered until it would be too old', async () => {
      const telegramId = 9_000_000 + Math.floor(Math.random() * 1_000_000);
      const authDate = Math.floor(Date.now() / 1000) - 3600;
      const data = freshWidgetData({ id: telegramId, first_name: 'Ada', auth_date: authDate });
      expectSignedIn(await client().post('/api/auth/telegram', { body: data }));
      const replay = await client().post('/api/auth/telegram', { body: data });
      expect(replay.status).toBe(401);
      expect(replay.json.code).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
      // Upper-case hex is the same signature, not a new payload.
      const shouted = await client().post('/api/auth/telegram', {
        body: { ...data, hash: data.hash.toUpperCase() },
      });
      expect(shouted.status).toBe(401);

      const redis = new Redis(platform.redis.url);
      try {
        const [key] = await redis.keys(
          `${platform.redis.prefix}:gateway:telegram-used:widget:${data.hash}`,
        );
        const ttl = await redis.ttl(key);
        // 24 h from auth_date, which was an hour ago.
        expect(ttl).toBeGreaterThan(23 * 3600 - 60);
        expect(ttl).toBeLessThanOrEqual(23 * 3600 + 1);
      } finally {
        await redis.quit();
      }
    });

    it('refuses tampered and outdated data with 401', async () => {
      const api = client();
      const now = Math.floor(Date.now() / 1000);
      const signed = freshWidgetData({ id: 4242, first_name: 'Eve', auth_date: now });
      const tampered = await api.post('/api/auth/telegram', { body: { ...signed, id: 4243 } });
      expect(tampered.status).toBe(401);
      expect(tampered.json.code).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
      const old = await api.post('/api/auth/telegram', {
        body: freshWidgetData({ id: 4242, first_name: 'Eve', auth_date: now - 86400 - 60 }),
      });
      expect(old.status).toBe(401);
    });
  });

  it('documents every sign-in and members route in the OpenAPI document', async () => {
    const docs = await platform.api.get<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>('/docs-json');
    expect(docs.status).toBe(200);
    const { paths } = docs.json;
    for (const [path, method] of [
      ['/api/auth/register', 'post'],
      ['/api/auth/token', 'post'],
      ['/api/auth/refresh', 'post'],
      ['/api/auth/logout', 'post'],
      ['/api/auth/callback', 'post'],
      ['/api/auth/generate-code', 'post'],
      ['/api/auth/telegram', 'post'],
      ['/api/users/me', 'get'],
      ['/api/users/me', 'patch'],
      ['/api/users/me/refresh', 'post'],
      ['/api/users/u/{referral_code}', 'get'],
      ['/api/users/me/referrals', 'get'],
      ['/api/users/me/coins', 'get'],
    ]) {
      expect(paths[path]?.[method]).toBeDefined();
    }
    expect(paths['/api/users/me'].get.security).toEqual([{ bearer: [] }]);
  });

  describe('rate limits', () => {
    it('answers the 6th registration within a minute from one address with 429 and Retry-After', async () => {
      const api = client();
      for (let i = 0; i < 5; i++) {
        // Invalid bodies still count: the limit applies before anything else.
        expect((await api.post('/api/auth/register', { body: {} })).status).toBe(400);
      }
      const limited = await api.post('/api/auth/register', { body: newMember() });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(limited.json).toMatchObject({ statusCode: 429, code: ErrorCode.RATE_LIMITED });
      // Another client address (behind the trusted proxy) is another client.
      expect((await client().post('/api/auth/register', { body: {} })).status).toBe(400);
    });

    it('limits the code exchange to 10 per minute per address', async () => {
      const api = client();
      for (let i = 0; i < 10; i++) {
        expect(
          (await api.post('/api/auth/callback', { query: { code: `guess-${i}` } })).status,
        ).toBe(401);
      }
      expect((await api.post('/api/auth/callback', { query: { code: 'guess-11' } })).status).toBe(
        429,
      );
    });

    it('limits logins to 10 per minute per address', async () => {
      const api = client();
      for (let i = 0; i < 10; i++) {
        // A new email each time, so that only the per-address limit is reached.
        await api.post('/api/auth/token', {
          body: { email: `x-${randomUUID()}@example.org`, password: 'wrong-password' },
        });
      }
      const limited = await api.post('/api/auth/token', {
        body: { email: 'x@example.org', password: 'nope' },
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    });

    it('makes password sign-ins for one account wait after 5 failures, from any address, without checking the password', async () => {
      const { member } = await register();
      for (let i = 0; i < 5; i++) {
        const failed = await client().post('/api/auth/token', {
          body: { email: member.email, password: 'wrong-password' },
        });
        expect(failed.status).toBe(401);
      }
      // The right password, from yet another address: refused without looking at it.
      const waiting = await client().post('/api/auth/token', {
        body: { email: member.email.toUpperCase(), password: member.password },
      });
      expect(waiting.status).toBe(429);
      expect(waiting.json).toMatchObject({ code: ErrorCode.RATE_LIMITED });
      expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      // An email nobody has is answered the same way: the answers tell nobody who is registered.
      const unknown = `nobody-${randomUUID()}@example.org`;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const answer = await client().post('/api/auth/token', {
          body: { email: unknown, password: 'wrong-password' },
        });
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    });

    it('starts the failure count again after a successful password sign-in', async () => {
      const { member } = await register();
      const attempt = (password: string) =>
        client().post('/api/auth/token', { body: { email: member.email, password } });
      for (let i = 0; i < 4; i++) expect((await attempt('wrong-password')).status).toBe(401);
      expect((await attempt(member.password)).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
    });

    it.each([
      ['/api/auth/refresh', 30],
      ['/api/auth/logout', 30],
      ['/api/auth/generate-code', 10],
      ['/api/auth/telegram', 10],
    ])('limits %s to %i per minute per address', async (path, limit) => {
      const api = client();
      for (let i = 0; i < limit; i++) {
        // Invalid requests count too: the limit applies before anything else.
        expect((await api.post(path, { body: {} })).status).not.toBe(429);
      }
      const limited = await api.post(path, { body: {} });
      expect(limited.status).toBe(429);
      expect(limited.json).toMatchObject({ code: ErrorCode.RATE_LIMITED });
      expect((await client().post(path, { body: {} })).status).not.toBe(429);
    });

    it('counts IPv6 clients by their /64: another address in it is the same client', async () => {
      const network = `2001:db8:${(nextAddress++).toString(16)}:1`;
      for (let i = 0; i < 5; i++) {
        const api = client(`${network}:${i}:${i}:${i}:${i + 1}`);
        expect((await api.post('/api/auth/register', { body: {} })).status).toBe(400);
      }
      const sameNetwork = client(`${network}:ffff:ffff:ffff:fffe`);
      expect((await sameNetwork.post('/api/auth/register', { body: {} })).status).toBe(429);
      const nextNetwork = client(`${network.replace(/:1$/, ':2')}::1`);
      expect((await nextNetwork.post('/api/auth/register', { body: {} })).status).toBe(400);
    });

    it('gives each member one budget of 60 writes a minute, from whatever address', async () => {
      const [{ body: first }, { body: second }] = [await register(), await register()];
      const write = (token: string) =>
        platform.api.patch('/api/users/me', {
          token,
          // A body that fails validation: the write is counted without reaching a service.
          body: { full_name: 42 },
          headers: { 'x-forwarded-for': newClientAddress() },
        });
      for (let i = 0; i < 60; i++) expect((await write(first.access_token)).status).toBe(400);
      const limited = await write(first.access_token);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other write routes draw on the same budget; another member has their own.
      const other = await platform.api.post('/api/auth/logout-all', {
        token: first.access_token,
        headers: { 'x-forwarded-for': newClientAddress() },
      });
      expect(other.status).toBe(429);
      expect((await write(second.access_token)).status).toBe(400);
      // Without a valid token the answer is 401, and nobody's budget is spent.
      expect((await write('not-a-token')).status).toBe(401);
    });

    it('keeps its counters in Redis under the platform prefix, each with an expiry', async () => {
      const redis = new Redis(platform.redis.url);
      try {
        const keys = await redis.keys(`${platform.redis.prefix}:ratelimit:*`);
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
      } finally {
        await redis.quit();
      }
    });
  });
});

describe('rate limits without a trusted proxy (e2e)', () => {
  let platform: Platform;

  beforeAll(async () => {
    // Only the gateway: the limit is checked before the body, so invalid requests are enough.
    platform = await startPlatform({
      apps: ['gateway'],
      appEnv: { gateway: { TRUST_PROXY: 'false' } },
    });
  });

  afterAll(() => platform?.close());

  it('ignores X-Forwarded-For: changing it does not make a new client', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await platform.api.post('/api/auth/register', {
        body: {},
        headers: { 'x-forwarded-for': `192.0.2.${i + 1}` },
      });
      expect(response.status).toBe(400);
    }
    const limited = await platform.api.post('/api/auth/register', {
      body: {},
      headers: { 'x-forwarded-for': '198.51.100.77' },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
