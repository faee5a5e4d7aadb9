import Redis from 'ioredis';
import { createTestRedisSpace } from '@up/testing';
import { newTestClient } from '../test/bus-test-kit';
import { BusKeys } from './bus-keys';
import { BusTimeoutError } from './bus.errors';
import { RedisStreamsClient } from './client/redis-streams.client';

const MAX_LEN = 1000;
// `MAXLEN ~` trims whole radix-tree nodes (100 entries each by default), never below MAX_LEN.
const SLACK = 200;

describe('stream length bounds', () => {
  const space = createTestRedisSpace();
  const keys = new BusKeys(space.prefix);
  let redis: Redis;
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    redis = new Redis(space.url);
    sut = newTestClient(space, {
      streamMaxLen: MAX_LEN,
      requestStreamMaxLen: MAX_LEN,
      // Bounds the 2,000-event batches (slower on a loaded machine); the idle requests wait 500 ms.
      requestTimeoutMs: 5000,
    });
    await sut.connect();
  });

  afterAll(async () => {
    await sut.close();
    redis.disconnect();
    await space.clear();
  });

  it('keeps an event stream near MAXLEN after 100k messages', async () => {
    const stream = keys.eventStream('bulk.happened');
    // Thousands at a time: the client sends each batch in a few writes.
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(
        Array.from({ length: 2000 }, (_, i) => sut.publishEvent('bulk.happened', { i })),
      );
      expect(await redis.xlen(stream)).toBeLessThanOrEqual(MAX_LEN + SLACK);
    }

    const length = await redis.xlen(stream);
    expect(length).toBeGreaterThanOrEqual(MAX_LEN);
    expect(length).toBeLessThanOrEqual(MAX_LEN + SLACK);
    const info = (await redis.call('XINFO', 'STREAM', stream)) as unknown[];
    expect(info[info.indexOf('entries-added') + 1]).toBe(100_000);
  });

  it('keeps a request stream near its own MAXLEN too (nobody serving it)', async () => {
    const calls = Array.from({ length: 3000 }, (_, i) =>
      sut.request('idle.work', { i }, { timeoutMs: 500 }).catch((e: unknown) => e),
    );
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof BusTimeoutError)).toBe(true);
    const length = await redis.xlen(keys.requestStream('idle'));
    expect(length).toBeGreaterThanOrEqual(MAX_LEN);
    expect(length).toBeLessThanOrEqual(MAX_LEN + SLACK);
  });
});
