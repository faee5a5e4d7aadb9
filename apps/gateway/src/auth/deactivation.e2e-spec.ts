import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, USERS } from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, TestMember } from '../../test/factories/club.factory';
import { SignInService } from './sign-in.service';

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/**
 * Deactivation ends every session of the member at its commit: refreshes are refused whether or
 * not the revocation that follows it arrives, also for tokens handed out by refreshes racing the
 * deactivation, and also after a reactivation (the member signs in again).
 */
describe(`${SignInService.name}: deactivation (e2e)`, () => {
  let platform: Platform;
  let club: ClubFactory;
  let admin: TestMember;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: ClubFactory.env,
      // Each session speaks from its own address, so per-address sign-in limits stay out of the way.
      appEnv: { gateway: { TRUST_PROXY: 'true' } },
    });
    club = new ClubFactory(platform);
    admin = await club.adminMember();
  }, 60_000);

  afterAll(() => platform?.close());

  let address = 0;
  const nextAddress = () => `198.51.100.${(address++ % 250) + 1}`;

  async function registered() {
    const credentials = {
      email: `member-${randomUUID()}@example.org`,
      password: `pw-${randomBytes(8).toString('hex')}`,
    };
    const res = await platform.api.post<TokenPair & { user: { id: string } }>(
      '/api/auth/register',
      {
        body: { ...credentials, full_name: 'Ada Lovelace' },
        headers: { 'x-forwarded-for': nextAddress() },
      },
    );
    expect(res.status).toBe(201);
    return { id: res.json.user.id, credentials, tokens: res.json as TokenPair };
  }

  async function login(credentials: { email: string; password: string }): Promise<TokenPair> {
    const res = await platform.api.post<TokenPair>('/api/auth/token', {
      body: credentials,
      headers: { 'x-forwarded-for': nextAddress() },
    });
    expect(res.status).toBe(200);
    return res.json;
  }

  const refresh = (refreshToken: string) =>
    platform.api.post<TokenPair & { code?: string }>('/api/auth/refresh', {
      body: { refresh_token: refreshToken },
      headers: { 'x-forwarded-for': nextAddress() },
    });

  /** Straight to the users service: the deactivation without the revocation the gateway adds. */
  const setActive = (memberId: string, isActive: boolean) =>
    platform.bus.send(USERS.ADMIN_UPDATE, {
      member_id: memberId,
      is_active: isActive,
      actor_id: admin.id,
    });

  it('refuses a deactivated member’s refresh although their tokens were never revoked', async () => {
    const member = await registered();
    await setActive(member.id, false);

    const res = await refresh(member.tokens.refresh_token);
    expect([res.status, res.json.code]).toEqual([403, ErrorCode.MEMBER_INACTIVE]);
  });

  it('keeps the sessions started before a deactivation ended after a reactivation', async () => {
    const member = await registered();
    const before = await login(member.credentials);
    await setActive(member.id, false);
    await setActive(member.id, true);

    const res = await refresh(before.refresh_token);
    expect([res.status, res.json.code]).toEqual([401, ErrorCode.INVALID_REFRESH_TOKEN]);
    const after = await login(member.credentials);
    expect((await refresh(after.refresh_token)).status).toBe(200);
  });

  it('leaves no working token from refreshes racing the deactivation', async () => {
    const member = await registered();
    const sessions = [member.tokens];
    for (let i = 1; i < 6; i++) sessions.push(await login(member.credentials));

    // Every session refreshes in a chain (as a busy client does) until it is refused, while the
    // administrator deactivates the member once the chains are going.
    let refreshes = 0;
    let started!: () => void;
    const going = new Promise<void>((resolve) => (started = resolve));
    const chains = sessions.map(async (session) => {
      let latest = session.refresh_token;
      for (let round = 0; round < 40; round++) {
        const res = await refresh(latest);
        if (res.status !== 200) return latest;
        latest = res.json.refresh_token;
        if (++refreshes === sessions.length * 2) started();
      }
      return latest;
    });
    await going;
    const deactivated = await platform.api.patch(`/api/admin/users/${member.id}`, {
      token: admin.token,
      body: { is_active: false },
    });
    expect(deactivated.status).toBe(200);
    const lastIssued = await Promise.all(chains);

    // Even once reactivated, none of the tokens the race handed out refreshes.
    await setActive(member.id, true);
    for (const token of lastIssued) {
      expect((await refresh(token)).status).toBe(401);
    }
  });
});
