import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createTestRedisSpace, TestRedisSpace } from '@up/testing';
import { GatewayConfig } from '../config/gateway.config';
import { AuthRedis } from './auth-redis';
import { LoginFailures } from './login-failures';

describe(LoginFailures.name, () => {
  let space: TestRedisSpace;
  let redis: Redis;
  const connections: AuthRedis[] = [];

  function newTestService(overrides: Partial<GatewayConfig> = {}) {
    const config = Object.assign(new GatewayConfig(), {
      REDIS_URL: space.url,
      REDIS_KEY_PREFIX: space.prefix,
      RATE_LIMIT_LOGIN_FAILURES: 3,
      RATE_LIMIT_LOGIN_DELAY_BASE_MS: 1000,
      RATE_LIMIT_LOGIN_DELAY_MAX_SECONDS: 900,
      RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS: 3600,
      ...overrides,
    });
    const auth = new AuthRedis(config);
    connections.push(auth);
    return new LoginFailures(auth, config);
  }

  const newEmail = () => `member-${randomUUID()}@example.org`;

  async function counterKey(): Promise<string> {
    const keys = await redis.keys(`${space.prefix}:gateway:login-failures:*`);
    expect(keys).toHaveLength(1);
    return keys[0];
  }

  /** Lets the current wait run out without waiting: the failures stay, the block ends. */
  async function endTheWait(): Promise<void> {
    const key = await counterKey();
    const [failures] = ((await redis.get(key)) ?? '').split(':');
    await redis.set(key, `${failures}:0`, 'KEEPTTL');
  }

  beforeAll(() => {
    space = createTestRedisSpace();
    redis = new Redis(space.url);
  });

  afterEach(() => space.clear());

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.onApplicationShutdown()));
    await space.clear();
    await redis.quit();
  });

  it('lets the first failures through, then makes each further attempt wait, growing to the cap', async () => {
    const sut = newTestService();
    const email = newEmail();
    for (let i = 0; i < 3; i++) expect(await sut.attempt(email)).toEqual({ allowed: true });
    expect(await sut.attempt(email)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // A refused attempt does not count: the wait is still the same one.
    expect(await sut.attempt(email)).toEqual({ allowed: false, retryAfterSeconds: 1 });

    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await endTheWait();
      expect(await sut.attempt(email)).toEqual({ allowed: true });
      const refused = await sut.attempt(email);
      waits.push(refused.allowed ? 0 : refused.retryAfterSeconds);
    }
    expect(waits).toEqual([2, 4, 8, 16]);

    await redis.set(await counterKey(), '60:0', 'KEEPTTL');
    expect(await sut.attempt(email)).toEqual({ allowed: true });
    expect(await sut.attempt(email)).toEqual({ allowed: false, retryAfterSeconds: 900 });
    // The counter outlives the wait, and is forgotten some time after it.
    const ttl = await redis.pttl(await counterKey());
    expect(ttl).toBeGreaterThan(899_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('counts every email apart, whatever its case, and never stores the address', async () => {
    const sut = newTestService();
    const email = newEmail();
    for (let i = 0; i < 3; i++) await sut.attempt(email);
    expect((await sut.attempt(` ${email.toUpperCase()} `)).allowed).toBe(false);
    expect((await sut.attempt(newEmail())).allowed).toBe(true);
    const keys = await redis.keys(`${space.prefix}:*`);
    expect(keys.join(' ')).not.toContain('example.org');
  });

  it('starts again after a success', async () => {
    const sut = newTestService();
    const email = newEmail();
    for (let i = 0; i < 3; i++) await sut.attempt(email);
    await sut.succeeded(email);
    for (let i = 0; i < 3; i++) expect((await sut.attempt(email)).allowed).toBe(true);
  });

  it('gives back an attempt that failed for another reason than the password', async () => {
    const sut = newTestService();
    const email = newEmail();
    for (let i = 0; i < 2; i++) {
      await sut.attempt(email);
      await sut.notAFailure(email);
    }
    for (let i = 0; i < 3; i++) expect((await sut.attempt(email)).allowed).toBe(true);
    expect((await sut.attempt(email)).allowed).toBe(false);
  });

  it('lets only the allowed number of concurrent attempts through', async () => {
    const sut = newTestService();
    const email = newEmail();
    const answers = await Promise.all(Array.from({ length: 20 }, () => sut.attempt(email)));
    expect(answers.filter((a) => a.allowed)).toHaveLength(3);
  });
});
