import { randomUUID } from 'node:crypto';
import { CommonEnv, loadConfig } from '@up/config';
import { profileVersionKey } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import { ProfileVersionPublisher, PROFILE_VERSION_TTL_SECONDS } from './profile-version.publisher';
import { UsersRedis } from './users-redis';

describe(ProfileVersionPublisher.name, () => {
  const space = createTestRedisSpace();
  let redis: UsersRedis;
  let sut: ProfileVersionPublisher;

  beforeAll(async () => {
    const config = loadConfig(CommonEnv, {
      NODE_ENV: 'test',
      REDIS_URL: space.url,
      REDIS_KEY_PREFIX: space.prefix,
    });
    redis = new UsersRedis(config);
    sut = new ProfileVersionPublisher(redis);
    await redis.ready();
  });

  afterAll(async () => {
    await redis.onApplicationShutdown();
    await space.clear();
  });

  it('writes the version under <prefix>:users:profile-version:<member id>, with an expiry', async () => {
    const memberId = randomUUID();
    await sut.publishOne(memberId, 3);
    const key = profileVersionKey(space.prefix, memberId);
    expect(key).toBe(`${space.prefix}:users:profile-version:${memberId}`);
    await expect(redis.client.get(key)).resolves.toBe('3');
    const ttl = await redis.client.ttl(key);
    expect(ttl).toBeGreaterThan(PROFILE_VERSION_TTL_SECONDS - 10);
  });

  it('only ever raises the version, whatever order publications arrive in', async () => {
    const memberId = randomUUID();
    await sut.publishOne(memberId, 7);
    await sut.publishOne(memberId, 5);
    await expect(sut.current(memberId)).resolves.toBe(7);
    await Promise.all([9, 8, 12, 10, 11].map((v) => sut.publishOne(memberId, v)));
    await expect(sut.current(memberId)).resolves.toBe(12);
  });

  it('keeps what it could not write while Redis was unreachable and writes it on reconnection', async () => {
    const memberId = randomUUID();
    await sut.publishOne(memberId, 1);
    // A dropped connection, which ioredis re-establishes by itself.
    const back = new Promise((resolve) => redis.client.once('ready', resolve));
    redis.client.disconnect(true);
    await expect(sut.publishOne(memberId, 2)).resolves.toBeUndefined(); // fails now, quietly
    await back;
    for (let i = 0; i < 50 && (await sut.current(memberId)) !== 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect(sut.current(memberId)).resolves.toBe(2);
  });
});
