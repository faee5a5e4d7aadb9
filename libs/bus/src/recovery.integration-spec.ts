import { INestMicroservice } from '@nestjs/common';
import Redis from 'ioredis';
import { DomainError, ErrorCode } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import {
  controllerFor,
  eventually,
  never,
  newTestClient,
  pendingCount,
  startReplica,
} from '../test/bus-test-kit';
import { BusKeys } from './bus-keys';
import { RedisStreamsClient } from './client/redis-streams.client';
import { busServerOf } from './create-bus-microservice';

const CLAIM_IDLE_MS = 400;
const MAX_DELIVERIES = 3;

describe('RedisStreamsServer recovery', () => {
  const space = createTestRedisSpace();
  const keys = new BusKeys(space.prefix);
  const overrides = { claimIdleMs: CLAIM_IDLE_MS, maxDeliveries: MAX_DELIVERIES };
  const apps: INestMicroservice[] = [];
  let redis: Redis;
  let sut: RedisStreamsClient;

  async function replica(args: {
    service: string;
    consumerName: string;
    pattern: string;
    handle: (data: unknown) => unknown;
    event?: boolean;
    claimIdleMs?: number;
  }): Promise<INestMicroservice> {
    const app = await startReplica({
      space,
      service: args.service,
      consumerName: args.consumerName,
      controllers: [controllerFor(args)],
      overrides: { ...overrides, ...(args.claimIdleMs ? { claimIdleMs: args.claimIdleMs } : {}) },
    });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    redis = new Redis(space.url);
    sut = newTestClient(space);
    await sut.connect();
  });

  afterAll(async () => {
    await sut.close();
    await Promise.all(apps.map((app) => app.close()));
    redis.disconnect();
    await space.clear();
  });

  it('hands a message taken by a replica that died before acknowledging it to another replica after the idle time', async () => {
    const runs: string[] = [];
    const victim = await replica({
      service: 'crash',
      consumerName: 'victim',
      pattern: 'crash.work',
      handle: () => {
        runs.push('victim');
        return never();
      },
    });
    const reply = sut.request('crash.work', { n: 1 }, { timeoutMs: 8000 });
    await eventually(() => runs.length === 1);
    const killedAt = Date.now();
    busServerOf(victim).destroy();

    await replica({
      service: 'crash',
      consumerName: 'survivor',
      pattern: 'crash.work',
      handle: () => {
        runs.push('survivor');
        return 'handled by survivor';
      },
    });

    await expect(reply).resolves.toBe('handled by survivor');
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(CLAIM_IDLE_MS - 50);
    expect(runs).toEqual(['victim', 'survivor']);
    await eventually(
      async () => (await pendingCount(redis, keys.requestStream('crash'), 'crash')) === 0,
    );
  });

  it('finishes its own pending entries first when a replica restarts under the same name', async () => {
    let life = 0;
    const handle = () => (life === 1 ? never() : `handled in life ${life}`);
    // A long idle time: only the restarted replica itself can pick the entry up this fast.
    const first = await replica({
      service: 'restart',
      consumerName: 'r',
      pattern: 'restart.work',
      handle,
      claimIdleMs: 60000,
    });
    life = 1;
    const reply = sut.request('restart.work', {}, { timeoutMs: 5000 });
    await eventually(
      async () => (await pendingCount(redis, keys.requestStream('restart'), 'restart')) === 1,
    );
    busServerOf(first).destroy();

    life = 2;
    await replica({
      service: 'restart',
      consumerName: 'r',
      pattern: 'restart.work',
      handle,
      claimIdleMs: 60000,
    });

    await expect(reply).resolves.toBe('handled in life 2');
  });

  it('never re-runs a message whose handler is still working, however long it takes', async () => {
    let runs = 0;
    const handle = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, CLAIM_IDLE_MS * 4));
      return 'slow but done';
    };
    await replica({ service: 'slow', consumerName: 's1', pattern: 'slow.work', handle });
    await replica({ service: 'slow', consumerName: 's2', pattern: 'slow.work', handle });

    await expect(sut.request('slow.work', {}, { timeoutMs: 5000 })).resolves.toBe('slow but done');
    await new Promise((resolve) => setTimeout(resolve, CLAIM_IDLE_MS * 2));
    expect(runs).toBe(1);
  });

  it(`moves an event that failed ${MAX_DELIVERIES} times to the dead-letter stream with its reason`, async () => {
    let attempts = 0;
    const handle = () => {
      attempts++;
      throw new DomainError(ErrorCode.CONFLICT, `cannot process, attempt ${attempts}`);
    };
    await replica({
      service: 'poison',
      consumerName: 'p1',
      pattern: 'poison.sent',
      handle,
      event: true,
    });
    await replica({
      service: 'poison',
      consumerName: 'p2',
      pattern: 'poison.sent',
      handle,
      event: true,
    });

    await sut.publishEvent('poison.sent', { n: 7 });

    const dlq = keys.deadLetterStream(keys.eventStream('poison.sent'));
    await eventually(async () => (await redis.xlen(dlq)) === 1);
    const [[, fields]] = await redis.xrange(dlq, '-', '+');
    const entry = Object.fromEntries(
      fields.flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])),
    );
    expect(JSON.parse(entry.m)).toMatchObject({ k: 'evt', p: 'poison.sent', d: { n: 7 } });
    expect(entry).toMatchObject({
      dlq_reason: `CONFLICT: cannot process, attempt ${MAX_DELIVERIES}`,
      dlq_group: 'poison',
      dlq_deliveries: String(MAX_DELIVERIES),
    });
    expect(attempts).toBe(MAX_DELIVERIES);
    expect(await pendingCount(redis, keys.eventStream('poison.sent'), 'poison')).toBe(0);
  });

  it('on close, lets an in-flight handler finish, answers and acknowledges it, then stops', async () => {
    let started = false;
    const app = await replica({
      service: 'drain',
      consumerName: 'd1',
      pattern: 'drain.work',
      handle: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return 'finished during shutdown';
      },
    });
    const reply = sut.request('drain.work', {}, { timeoutMs: 5000 });
    await eventually(() => started);

    await app.close();

    await expect(reply).resolves.toBe('finished during shutdown');
    expect(await pendingCount(redis, keys.requestStream('drain'), 'drain')).toBe(0);
  });
});
