import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, MemberRole, SessionResponse } from '@up/contracts';
import { ApiRequestOptions, Platform, startPlatform } from '@up/testing';
import { AccessTokenService } from './access-token.service';

type Json = Record<string, unknown>;
interface TokenPair {
  access_token: string;
  refresh_token: string;
}

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1';
const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/**
 * The caller's sessions through the real gateway, users and auth-codes apps. The gateway trusts
 * the proxy (TRUST_PROXY=true), so each device speaks from an X-Forwarded-For address of its own.
 */
describe('sessions (e2e)', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      appEnv: { gateway: { TRUST_PROXY: 'true' } },
    });
  });

  afterAll(() => platform?.close());

  /** A device: one User-Agent and one client address. */
  const device = (userAgent: string, address: string) => {
    const options = (more: ApiRequestOptions = {}): ApiRequestOptions => ({
      ...more,
      headers: { 'user-agent': userAgent, 'x-forwarded-for': address, ...more.headers },
    });
    return {
      post: (path: string, more?: ApiRequestOptions) =>
        platform.api.post<Json>(path, options(more)),
      get: (path: string, more?: ApiRequestOptions) => platform.api.get<Json>(path, options(more)),
      delete: (path: string, more?: ApiRequestOptions) =>
        platform.api.delete<Json>(path, options(more)),
    };
  };
  type Device = ReturnType<typeof device>;

  async function registerOn(on: Device) {
    const member = {
      email: `member-${randomUUID()}@example.org`,
      password: `pw-${randomBytes(8).toString('hex')}`,
      full_name: 'Grace Hopper',
    };
    const response = await on.post('/api/auth/register', { body: member });
    expect(response.status).toBe(201);
    return { member, tokens: response.json as unknown as TokenPair };
  }

  async function loginOn(on: Device, member: { email: string; password: string }) {
    const response = await on.post('/api/auth/token', {
      body: { email: member.email, password: member.password },
    });
    expect(response.status).toBe(200);
    return response.json as unknown as TokenPair;
  }

  async function sessionsOf(token: string, on: Device): Promise<SessionResponse[]> {
    const response = await on.get('/api/auth/sessions', { token });
    expect(response.status).toBe(200);
    return (response.json as unknown as { sessions: SessionResponse[] }).sessions;
  }

  const refreshStatus = async (tokens: TokenPair, on: Device) =>
    (await on.post('/api/auth/refresh', { body: { refresh_token: tokens.refresh_token } })).status;

  it('lists one session per sign-in, newest first, with its client and the current one marked', async () => {
    const phone = device(PHONE, '203.0.113.77');
    const laptop = device(LAPTOP, '2001:db8:abcd:12::5');
    const { member, tokens: onPhone } = await registerOn(phone);
    const onLaptop = await loginOn(laptop, member);

    const response = await phone.get('/api/auth/sessions', { token: onPhone.access_token });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toEqual({
      sessions: [
        {
          id: expect.any(String),
          created_at: expect.any(String),
          last_used_at: expect.any(String),
          user_agent: LAPTOP,
          ip: '2001:db8:abcd::/48',
          current: false,
        },
        {
          id: expect.any(String),
          created_at: expect.any(String),
          last_used_at: expect.any(String),
          user_agent: PHONE,
          ip: '203.0.113.0/24',
          current: true,
        },
      ],
    });
    // Seen from the laptop, the laptop's session is the current one.
    const fromLaptop = await sessionsOf(onLaptop.access_token, laptop);
    expect(fromLaptop.map((s) => [s.user_agent, s.current])).toEqual([
      [LAPTOP, true],
      [PHONE, false],
    ]);
  });

  it('keeps the session across refreshes, recording the client of the last one', async () => {
    const phone = device(PHONE, '198.51.100.9');
    const { tokens } = await registerOn(phone);
    const [before] = await sessionsOf(tokens.access_token, phone);

    // The same phone, now on another network and with an updated browser.
    const moved = device(`${PHONE} (updated)`, '192.0.2.44');
    const refreshed = await moved.post('/api/auth/refresh', {
      body: { refresh_token: tokens.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const after = await sessionsOf(refreshed.json.access_token as string, moved);
    expect(after).toEqual([
      {
        ...before,
        last_used_at: expect.any(String),
        user_agent: `${PHONE} (updated)`,
        ip: '192.0.2.0/24',
        current: true,
      },
    ]);
    expect(new Date(after[0].last_used_at).getTime()).toBeGreaterThanOrEqual(
      new Date(before.last_used_at).getTime(),
    );
  });

  it('cuts a long User-Agent to 256 characters', async () => {
    const long = device('x'.repeat(1000), '198.51.100.10');
    const { tokens } = await registerOn(long);
    const [session] = await sessionsOf(tokens.access_token, long);
    expect(session.user_agent).toBe('x'.repeat(256));
  });

  it('ends another session: its refresh token is refused, this one goes on', async () => {
    const phone = device(PHONE, '203.0.113.20');
    const laptop = device(LAPTOP, '203.0.113.21');
    const { member, tokens: onPhone } = await registerOn(phone);
    const onLaptop = await loginOn(laptop, member);
    const laptopSession = (await sessionsOf(onPhone.access_token, phone)).find((s) => !s.current);

    const ended = await phone.delete(`/api/auth/sessions/${laptopSession?.id}`, {
      token: onPhone.access_token,
    });
    expect(ended.status).toBe(204);
    expect(ended.text).toBe('');

    const refused = await laptop.post('/api/auth/refresh', {
      body: { refresh_token: onLaptop.refresh_token },
    });
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe(ErrorCode.INVALID_REFRESH_TOKEN);
    expect((await sessionsOf(onPhone.access_token, phone)).map((s) => s.current)).toEqual([true]);
    expect(await refreshStatus(onPhone, phone)).toBe(200);

    // Ending it again: it is no longer one of the caller's sessions.
    const again = await phone.delete(`/api/auth/sessions/${laptopSession?.id}`, {
      token: onPhone.access_token,
    });
    expect(again.status).toBe(404);
    expect(again.json.code).toBe(ErrorCode.SESSION_NOT_FOUND);
  });

  it('answers 404 for an unknown id, a malformed one, and another member’s (which lives on)', async () => {
    const mine = device(PHONE, '203.0.113.30');
    const theirs = device(LAPTOP, '203.0.113.31');
    const { tokens: me } = await registerOn(mine);
    const { tokens: other } = await registerOn(theirs);
    const [theirSession] = await sessionsOf(other.access_token, theirs);

    for (const id of [theirSession.id, randomUUID(), 'not-a-uuid']) {
      const response = await mine.delete(`/api/auth/sessions/${id}`, { token: me.access_token });
      expect(response.status).toBe(404);
      expect(response.json.code).toBe(ErrorCode.SESSION_NOT_FOUND);
      // The same answer whether or not the id exists: nothing to learn about other members.
      expect(response.json.message).toBe('Session not found');
    }
    expect(await sessionsOf(other.access_token, theirs)).toHaveLength(1);
    expect(await refreshStatus(other, theirs)).toBe(200);
  });

  it('logout-all ends every session of the caller and nobody else’s', async () => {
    const phone = device(PHONE, '203.0.113.40');
    const laptop = device(LAPTOP, '203.0.113.41');
    const { member, tokens: onPhone } = await registerOn(phone);
    const onLaptop = await loginOn(laptop, member);
    const onLaptopAgain = await loginOn(laptop, member);
    const bystander = await registerOn(device(LAPTOP, '203.0.113.42'));

    const response = await phone.post('/api/auth/logout-all', { token: onPhone.access_token });
    expect(response.status).toBe(204);

    for (const tokens of [onPhone, onLaptop, onLaptopAgain]) {
      expect(await refreshStatus(tokens, laptop)).toBe(401);
    }
    // The access token still runs until it expires; it just has no session left.
    expect(await sessionsOf(onPhone.access_token, phone)).toEqual([]);
    expect(await refreshStatus(bystander.tokens, laptop)).toBe(200);
  });

  it('serves an access token without a session id, marking nothing current', async () => {
    const phone = device(PHONE, '203.0.113.50');
    const { member, tokens } = await registerOn(phone);
    const me = await phone.get('/api/users/me', { token: tokens.access_token });
    const withoutSid = platform
      .app('gateway')
      .get(AccessTokenService)
      .issue({ id: me.json.id as string, role: MemberRole.MEMBER }).access_token;
    await loginOn(phone, member);

    const sessions = await sessionsOf(withoutSid, phone);
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => !s.current)).toBe(true);
  });

  it('answers 401 without an access token', async () => {
    const anonymous = device(PHONE, '203.0.113.60');
    const responses = await Promise.all([
      anonymous.get('/api/auth/sessions'),
      anonymous.delete(`/api/auth/sessions/${randomUUID()}`),
      anonymous.post('/api/auth/logout-all'),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.json.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });
});
