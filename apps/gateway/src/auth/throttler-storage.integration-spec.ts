import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { createTestRedisSpace, TestRedisSpace } from '@up/testing';
import { ThrottlerStorage } from './rate-limit';

describe(ThrottlerStorage.name, () => {
  let space: TestRedisSpace;
  const clients: Redis[] = [];

  function newClient(): Redis {
    const client = new Redis(space.url, { keyPrefix: `${space.prefix}:` });
    clients.push(client);
    return client;
  }

  beforeAll(() => {
    space = createTestRedisSpace();
  });

  afterAll(async () => {
    await space.clear();
    await Promise.all(clients.filter((c) => c.status !== 'end').map((c) => c.quit()));
  });

  it("counts, blocks and answers as the library's own storage does", async () => {
    const sut = new ThrottlerStorage(newClient());
    const library = new ThrottlerStorageRedisService(newClient());
    const answers = async (storage: ThrottlerStorageRedisService, key: string) => {
      const seen = [];
      for (let i = 0; i < 4; i++)
        seen.push(await storage.increment(key, 60_000, 2, 30_000, 'writes'));
      return seen;
    };
    const ours = await answers(sut, 'ours');
    expect(ours.map(({ totalHits, isBlocked }) => ({ totalHits, isBlocked }))).toEqual([
      { totalHits: 1, isBlocked: false },
      { totalHits: 2, isBlocked: false },
      { totalHits: 3, isBlocked: true },
      { totalHits: 4, isBlocked: true },
    ]);
    expect(ours[3]).toMatchObject({ timeToExpire: 60, timeToBlockExpire: 30 });
    expect(ours).toEqual(await answers(library, 'theirs'));
  });

  it('keeps the keys where the library keeps them, each with an expiry', async () => {
    const client = newClient();
    const sut = new ThrottlerStorage(client);
    await sut.increment('keys', 60_000, 1, 30_000, 'callback');
    await sut.increment('keys', 60_000, 1, 30_000, 'callback');
    const reader = new Redis(space.url);
    clients.push(reader);
    const hits = `${space.prefix}:{keys:callback}:hits`;
    const blocked = `${space.prefix}:{keys:callback}:blocked`;
    await expect(reader.get(hits)).resolves.toBe('2');
    await expect(reader.pttl(hits)).resolves.toBeGreaterThan(0);
    await expect(reader.pttl(blocked)).resolves.toBeGreaterThan(0);
  });

  it('closes the connection it was given on shutdown', async () => {
    const client = newClient();
    const sut = new ThrottlerStorage(client);
    await sut.increment('close', 60_000, 5, 30_000, 'writes');
    const ended = new Promise((resolve) => client.once('end', resolve));
    sut.onModuleDestroy();
    await ended;
    expect(client.status).toBe('end');
  });
});
