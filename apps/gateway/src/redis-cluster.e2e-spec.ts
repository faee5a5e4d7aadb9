import { randomBytes, randomUUID } from 'node:crypto';
import { AUTH } from '@up/contracts';
import { Platform, RedisCluster, startPlatform } from '@up/testing';
import { ClubFactory } from '../test/factories/club.factory';

/**
 * The platform on a real Redis Cluster (3 primaries, `REDIS_CLUSTER_NODES`): every app's every
 * Redis connection (bus, rate limits, login codes, profile versions, sign-in state) goes to the
 * cluster. Signs in (register, password, login code) and joins an event through the gateway.
 */
describe('The platform on a Redis Cluster', () => {
  const cluster = new RedisCluster();
  let platform: Platform;
  let club: ClubFactory;

  beforeAll(async () => {
    await cluster.start(3);
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes', 'events'],
      env: {
        ...ClubFactory.env,
        REDIS_URL: cluster.url,
        REDIS_CLUSTER_NODES: cluster.nodesSetting,
      },
    });
    club = new ClubFactory(platform);
  }, 90_000);

  afterAll(async () => {
    await platform?.close();
    await cluster.stop();
  });

  it('signs a member in with a password, then with a login code (once)', async () => {
    const member = {
      email: `member-${randomUUID()}@example.org`,
      password: `pw-${randomBytes(8).toString('hex')}`,
      full_name: 'Ada Lovelace',
    };
    const registered = await platform.api.post<{ user: { id: string } }>('/api/auth/register', {
      body: member,
    });
    expect(registered.status).toBe(201);
    const token = await platform.api.post('/api/auth/token', {
      body: { email: member.email, password: member.password },
    });
    expect(token.status).toBe(200);

    const { code } = await platform.bus.send(AUTH.ISSUE_LOGIN_CODE, {
      member_id: registered.json.user.id,
    });
    const first = await platform.api.post<{ user: { id: string } }>('/api/auth/callback', {
      query: { code },
    });
    expect([first.status, first.json.user.id]).toEqual([200, registered.json.user.id]);
    const second = await platform.api.post('/api/auth/callback', { query: { code } });
    expect(second.status).toBe(401);
  });

  it('joins an event: seat, coins and the event view agree', async () => {
    const event = await club.event({ price: 10 });
    const member = await club.member({ coins: 25 });

    const joined = await platform.api.post(`/api/v1/events/${event.id}/join`, {
      token: member.token,
    });

    expect([joined.status, joined.json]).toMatchObject([201, { balance: 15 }]);
    const seen = await platform.api.get(`/api/v1/events/${event.id}`, { token: member.token });
    expect(seen.json).toMatchObject({ joined: true, participants_count: 1 });
  });
});
