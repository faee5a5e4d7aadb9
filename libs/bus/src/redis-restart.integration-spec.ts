import { INestMicroservice } from '@nestjs/common';
import { controllerFor, newTestClient, startReplica } from '../test/bus-test-kit';
import { freePort, RedisProcess } from '@up/testing';
import { BusTimeoutError } from './bus.errors';
import { RedisStreamsClient } from './client/redis-streams.client';

const TIMEOUT_MS = 1000;

interface Outcome {
  ok: boolean;
  startedAt: number;
  elapsed: number;
  error?: unknown;
}

describe('RedisStreamsServer across a Redis restart', () => {
  let redis: RedisProcess;
  let space: { url: string; prefix: string };
  const apps: INestMicroservice[] = [];
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    space = { url: redis.url, prefix: 'restart' };
    for (const consumerName of ['r1', 'r2']) {
      apps.push(
        await startReplica({
          space,
          service: 'resilient',
          consumerName,
          controllers: [controllerFor({ pattern: 'resilient.echo', handle: (data) => data })],
        }),
      );
    }
    sut = newTestClient(space, { requestTimeoutMs: TIMEOUT_MS });
    await sut.connect();
  });

  afterAll(async () => {
    await sut?.close();
    await Promise.all(apps.map((app) => app.close()));
    await redis?.kill();
  });

  it('carries on after Redis is killed and restarted, with no call outliving its timeout', async () => {
    const outcomes: Outcome[] = [];
    let stop = false;
    // Four callers in a loop, for the whole test.
    const callers = Array.from({ length: 4 }, async (_, caller) => {
      for (let n = 0; !stop; n++) {
        const startedAt = Date.now();
        try {
          await sut.request('resilient.echo', { caller, n });
          outcomes.push({ ok: true, startedAt, elapsed: Date.now() - startedAt });
        } catch (error) {
          outcomes.push({ ok: false, startedAt, elapsed: Date.now() - startedAt, error });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.kill();
    const killedAt = Date.now();
    // Down for longer than the callers' timeout, so some calls must fail (and not hang).
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 1.5));
    await redis.start();
    const restartedAt = Date.now();
    // Let the connections come back and traffic resume.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    stop = true;
    await Promise.all(callers);

    const before = outcomes.filter((o) => o.startedAt < killedAt);
    const after = outcomes.filter((o) => o.startedAt > restartedAt + 2500);
    const failures = outcomes.filter((o) => !o.ok);
    expect(before.filter((o) => o.ok).length).toBeGreaterThan(10);
    expect(failures.length).toBeGreaterThanOrEqual(4); // the outage was real: each caller saw it
    expect(failures.every((o) => o.error instanceof BusTimeoutError)).toBe(true);
    // Nobody hung: every call ended within its timeout (plus scheduling slack).
    expect(Math.max(...outcomes.map((o) => o.elapsed))).toBeLessThan(TIMEOUT_MS + 250);
    // Resumed: calls made once things settled all succeed, on the same processes.
    expect(after.length).toBeGreaterThan(10);
    expect(after.every((o) => o.ok)).toBe(true);
  });
});
