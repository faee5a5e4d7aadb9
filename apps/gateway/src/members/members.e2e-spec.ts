import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { BusKeys } from '@up/bus';
import { ErrorCode, PUBLIC_PROFILE_FIELDS, USERS } from '@up/contracts';
import { ApiResponse, Platform, startPlatform } from '@up/testing';

type Json = Record<string, unknown>;

/** Members routes through the real gateway, users and auth-codes apps. */
describe('members (e2e)', () => {
  let platform: Platform;
  let redis: Redis;

  async function signUp(extra: Json = {}): Promise<{ token: string; user: Json }> {
    const response = await platform.api.post('/api/auth/register', {
      body: {
        email: `m-${randomUUID()}@example.org`,
        password: `pw-${randomBytes(8).toString('hex')}`,
        full_name: 'Ada Lovelace',
        ...extra,
      },
    });
    expect(response.status).toBe(201);
    return { token: response.json.access_token as string, user: response.json.user as Json };
  }

  const expectCacheHeaders = (response: ApiResponse<Json>, etag?: string) => {
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    expect(response.headers.get('vary')).toMatch(/Authorization/i);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
    if (etag) expect(response.headers.get('etag')).toBe(etag);
  };

  /** Requests the users service has received so far (its request stream only grows in a test). */
  /**
   * Requests ever sent to the users service: XINFO's entries-added (Redis 7), not XLEN, since the
   * service deletes each request once handled.
   */
  const usersRequests = async () => {
    const info = (await redis.xinfo(
      'STREAM',
      new BusKeys(platform.redis.prefix).requestStream('users'),
    )) as unknown[];
    const at = info.indexOf('entries-added');
    if (at < 0) throw new Error('XINFO STREAM has no entries-added (Redis 7 needed)');
    return Number(info[at + 1]);
  };

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: { RATE_LIMIT_REGISTER_PER_MINUTE: '1000' },
      // The last test waits for a request to a stopped service to time out.
      appEnv: { gateway: { BUS_REQUEST_TIMEOUT_MS: '1500' } },
    });
    redis = new Redis(platform.redis.url);
  });

  afterAll(async () => {
    await redis?.quit();
    await platform?.close();
  });

  describe('GET /api/users/me', () => {
    it('answers the private profile with Cache-Control, a strong ETag and Vary', async () => {
      const { token, user } = await signUp();
      const me = await platform.api.get('/api/users/me', { token });
      expect(me.status).toBe(200);
      expectCacheHeaders(me);
      expect(Object.keys(me.json).sort()).toEqual(
        [
          'id',
          'telegram_id',
          'username',
          'full_name',
          'first_name',
          'email',
          // Issue 10 added it.
          'email_verified',
          'photo_url',
          'role',
          'up_coins',
          'referral_code',
          'referred_by',
          'achievements_count',
          'created_at',
          'last_login',
        ].sort(),
      );
      expect(me.json.id).toBe(user.id);
    });

    it('varies on Authorization in addition to the Origin that CORS varies on', async () => {
      const { token } = await signUp();
      const me = await platform.api.get('/api/users/me', {
        token,
        headers: { origin: 'http://localhost:5173' },
      });
      expect(me.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const vary = (me.headers.get('vary') ?? '').split(/\s*,\s*/).map((v) => v.toLowerCase());
      expect(vary).toEqual(expect.arrayContaining(['origin', 'authorization']));
    });

    it('answers 304 without a body for a matching If-None-Match (exact, weak, in a list, or *)', async () => {
      const { token } = await signUp();
      const first = await platform.api.get('/api/users/me', { token });
      const etag = first.headers.get('etag') as string;
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const again = await platform.api.get('/api/users/me', {
          token,
          headers: { 'if-none-match': ifNoneMatch },
        });
        expect(again.status).toBe(304);
        expect(again.text).toBe('');
        expectCacheHeaders(again, etag);
      }
      const stale = await platform.api.get('/api/users/me', {
        token,
        headers: { 'if-none-match': '"stale"' },
      });
      expect(stale.status).toBe(200);
      expectCacheHeaders(stale, etag);
    });

    it('answers a matching If-None-Match from Redis alone: no request reaches the users service', async () => {
      const { token } = await signUp();
      const etag = (await platform.api.get('/api/users/me', { token })).headers.get(
        'etag',
      ) as string;
      const before = await usersRequests();
      for (let i = 0; i < 20; i++) {
        const cached = await platform.api.get('/api/users/me', {
          token,
          headers: { 'if-none-match': etag },
        });
        expect(cached.status).toBe(304);
      }
      expect(await usersRequests()).toBe(before);
      // The 200 path does ask (so the count above could have moved).
      await platform.api.get('/api/users/me', { token });
      expect(await usersRequests()).toBe(before + 1);
    });

    it('refuses a missing or forged token with 401', async () => {
      expect((await platform.api.get('/api/users/me')).status).toBe(401);
      const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({ sub: randomUUID(), role: 'admin', typ: 'access', exp: 9999999999 }),
      ).toString('base64url');
      const unsigned = await platform.api.get('/api/users/me', { token: `${header}.${payload}.` });
      expect(unsigned.status).toBe(401);
      expect(unsigned.json).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        code: ErrorCode.UNAUTHENTICATED,
      });
      expect(unsigned.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  describe('PATCH /api/users/me', () => {
    it('changes the profile and its ETag; the old tag no longer matches', async () => {
      const { token } = await signUp();
      const before = await platform.api.get('/api/users/me', { token });
      const oldTag = before.headers.get('etag') as string;
      const patched = await platform.api.patch('/api/users/me', {
        token,
        body: { full_name: 'Augusta Ada King', username: `ada_${randomBytes(3).toString('hex')}` },
      });
      expect(patched.status).toBe(200);
      expect(patched.json.full_name).toBe('Augusta Ada King');
      const newTag = patched.headers.get('etag') as string;
      expect(newTag).not.toBe(oldTag);

      const withOldTag = await platform.api.get('/api/users/me', {
        token,
        headers: { 'if-none-match': oldTag },
      });
      expect(withOldTag.status).toBe(200);
      expect(withOldTag.json.full_name).toBe('Augusta Ada King');
      expectCacheHeaders(withOldTag, newTag);
      const withNewTag = await platform.api.get('/api/users/me', {
        token,
        headers: { 'if-none-match': newTag },
      });
      expect(withNewTag.status).toBe(304);
    });

    it('refuses invalid fields with 400', async () => {
      const { token } = await signUp();
      const response = await platform.api.patch('/api/users/me', {
        token,
        body: { username: 'x' },
      });
      expect(response.status).toBe(400);
      expect(response.json.fields).toHaveProperty('username');
    });
  });

  it('POST /api/users/me/refresh answers the profile with the current ETag', async () => {
    const { token } = await signUp();
    const me = await platform.api.get('/api/users/me', { token });
    const refreshed = await platform.api.post('/api/users/me/refresh', { token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toEqual(me.json);
    expectCacheHeaders(refreshed, me.headers.get('etag') as string);
  });

  describe('GET /api/users/u/{referral_code}', () => {
    it('answers public fields only, without authentication', async () => {
      const { user } = await signUp();
      const response = await platform.api.get(`/api/users/u/${user.referral_code as string}`);
      expect(response.status).toBe(200);
      expect(response.json.success).toBe(true);
      expect(Object.keys(response.json).sort()).toEqual(['success', 'user']);
      const publicUser = response.json.user as Json;
      expect(Object.keys(publicUser).sort()).toEqual([...PUBLIC_PROFILE_FIELDS].sort());
      expect(publicUser.id).toBe(user.id);
      for (const secret of ['email', 'telegram_id', 'up_coins', 'last_login', 'referred_by']) {
        expect(publicUser).not.toHaveProperty(secret);
      }
    });

    it('answers 404 with success: false for unknown and malformed codes', async () => {
      for (const code of ['UP-000000', 'UP-ZZZZZZ', 'nonsense', 'UP-12']) {
        const response = await platform.api.get(`/api/users/u/${code}`);
        expect(response.status).toBe(404);
        expect(response.json).toMatchObject({ success: false, statusCode: 404 });
      }
    });
  });

  it('GET /api/users/me/referrals lists the members the caller invited, as public profiles', async () => {
    const inviter = await signUp();
    const invitee = await signUp({ referral_code: inviter.user.referral_code });
    const response = await platform.api.get('/api/users/me/referrals', { token: inviter.token });
    expect(response.status).toBe(200);
    expect(response.json.count).toBe(1);
    const [referral] = response.json.referrals as Json[];
    expect(referral.id).toBe(invitee.user.id);
    expect(Object.keys(referral).sort()).toEqual([...PUBLIC_PROFILE_FIELDS].sort());
  });

  describe('GET /api/users/me/coins', () => {
    it('answers the balance and a page of the ledger', async () => {
      const inviter = await signUp();
      // Issue 10: an email referral pays only at verification, so the ledger entry is a credit.
      await platform.bus.send(USERS.CREDIT_COINS, {
        member_id: String(inviter.user.id),
        amount: 50,
        idempotency_key: `test:${randomUUID()}`,
        reason: 'Test funds',
      });
      const response = await platform.api.get('/api/users/me/coins', {
        token: inviter.token,
        query: { limit: 5, offset: 0 },
      });
      expect(response.status).toBe(200);
      expect(response.json).toMatchObject({ limit: 5, offset: 0, total: 1 });
      expect(response.json.balance).toBeGreaterThan(0);
      expect(response.json.transactions).toHaveLength(1);
    });

    it('validates limit and offset', async () => {
      const { token } = await signUp();
      for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 'abc' }, { offset: -1 }]) {
        const response = await platform.api.get('/api/users/me/coins', { token, query });
        expect(response.status).toBe(400);
      }
      const defaults = await platform.api.get('/api/users/me/coins', { token });
      expect(defaults.json).toMatchObject({
        balance: 0,
        limit: 20,
        offset: 0,
        total: 0,
        transactions: [],
      });
    });
  });

  // Last: it stops the users service for good.
  it('still answers 304 with the users service (and so PostgreSQL) out of reach', async () => {
    const { token } = await signUp();
    const etag = (await platform.api.get('/api/users/me', { token })).headers.get('etag') as string;
    await platform.app('users').stop();
    const cached = await platform.api.get('/api/users/me', {
      token,
      headers: { 'if-none-match': etag },
    });
    expect(cached.status).toBe(304);
    expectCacheHeaders(cached, etag);
    // Whereas the 200 path needs the service: its request now times out (503).
    const uncached = await platform.api.get('/api/users/me', { token });
    expect(uncached.status).toBe(503);
  }, 30_000);
});
