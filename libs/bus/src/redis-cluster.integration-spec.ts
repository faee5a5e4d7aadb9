import { randomUUID } from 'node:crypto';
import { Controller, INestMicroservice } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { createRedis, RedisClient } from '@up/config';
import { eventName, requestPattern } from '@up/contracts';
import { RedisCluster } from '@up/testing';
import {
  controllerFor,
  eventually,
  never,
  newTestClient,
  pendingCount,
  startReplica,
  testConfig,
  TestBusSpace,
} from '../test/bus-test-kit';
import { BusKeys } from './bus-keys';
import { RedisStreamsClient } from './client/redis-streams.client';
import { busServerOf } from './create-bus-microservice';
import { groupBySlot } from './hash-slot';

interface Job {
  n: number;
}
interface Thing {
  n: number;
}

const WORK = requestPattern<Job, { n: number; replica: string }>('workers.work', {
  callers: ['gateway'],
});
const CREATED = eventName<Thing>('thing.created', { publishers: ['gateway'] });
const PAID = eventName<Thing>('thing.paid', { publishers: ['gateway'] });

type Seen = Array<{ service: string; event: string; n: number }>;

function workers(replica: string, handled: Map<number, string[]>) {
  @Controller()
  class WorkersController {
    @MessagePattern(WORK)
    async work(@Payload() job: Job) {
      handled.set(job.n, [...(handled.get(job.n) ?? []), replica]);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { n: job.n, replica };
    }
  }
  return WorkersController;
}

/** A service with a request stream and two event streams: three slots, read by three XREADGROUPs. */
function listener(service: string, seen: Seen) {
  @Controller()
  class ThingListener {
    @EventPattern(CREATED)
    onCreated(@Payload() event: Thing) {
      seen.push({ service, event: CREATED, n: event.n });
    }

    @EventPattern(PAID)
    onPaid(@Payload() event: Thing) {
      seen.push({ service, event: PAID, n: event.n });
    }

    @MessagePattern(`${service}.ping`)
    ping() {
      return 'pong';
    }
  }
  return ThingListener;
}

const range = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i);

/**
 * The bus on a real Redis Cluster (3 primaries on spare local ports): the core of the bus tests,
 * then a primary killed mid-traffic once every primary has a replica. What the failover loses is
 * measured and printed; libs/bus/README.md ("Redis Cluster") records it.
 */
describe('The bus on a Redis Cluster', () => {
  const cluster = new RedisCluster();
  const prefix = `cl${randomUUID().slice(0, 8)}`;
  const keys = new BusKeys(prefix);
  const apps: INestMicroservice[] = [];
  const handled = new Map<number, string[]>();
  const seen: Seen = [];
  let space: TestBusSpace;
  let redis: RedisClient;
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    await cluster.start(3);
    space = { url: cluster.url, prefix, env: { REDIS_CLUSTER_NODES: cluster.nodesSetting } };
    redis = createRedis(testConfig(space), 'test');
    for (const name of ['r1', 'r2']) {
      apps.push(
        await startReplica({
          space,
          service: 'workers',
          consumerName: name,
          controllers: [workers(name, handled)],
        }),
      );
    }
    for (const service of ['billing', 'mailer']) {
      for (const replica of ['a', 'b']) {
        apps.push(
          await startReplica({
            space,
            service,
            consumerName: replica,
            controllers: [listener(service, seen)],
          }),
        );
      }
    }
    sut = newTestClient(space);
    await sut.connect();
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
    await Promise.all(apps.map((app) => app.close()));
    redis?.disconnect();
    await cluster.stop();
  });

  it('puts what one command touches in one slot, and services and events on different shards', async () => {
    const streams = [
      keys.requestStream('billing'),
      keys.eventStream(CREATED),
      keys.eventStream(PAID),
    ];
    // The billing replica reads three slots: three reads, and a cluster would refuse one of all.
    expect(groupBySlot(streams)).toHaveLength(3);
    expect(busServerOf(apps[2]).subscribedStreams.sort()).toEqual([...streams].sort());
    const primaries = new Set(
      await Promise.all(
        [...streams, keys.requestStream('workers'), keys.requestStream('mailer')].map((key) =>
          cluster.primaryOf(key),
        ),
      ),
    );
    expect(primaries.size).toBeGreaterThan(1);
    expect(await cluster.primaryOf(keys.deadLetterStream(keys.requestStream('billing')))).toBe(
      await cluster.primaryOf(keys.requestStream('billing')),
    );
  });

  it('handles each of 500 requests exactly once, spread over both replicas', async () => {
    const replies = await Promise.all(
      range(500).map((n) => sut.request<{ n: number; replica: string }>(WORK, { n })),
    );

    expect(replies.map((reply) => reply.n)).toEqual(range(500));
    expect([...handled.values()].filter((by) => by.length !== 1)).toEqual([]);
    expect(replies.filter((reply) => reply.replica === 'r1').length).toBeGreaterThan(50);
    expect(replies.filter((reply) => reply.replica === 'r2').length).toBeGreaterThan(50);
    expect(await sut.request('billing.ping', {})).toBe('pong');
  });

  it('delivers each event of two streams once to each subscribing service', async () => {
    await sut.publishEvents(
      range(100).flatMap((n) => [
        {
          pattern: CREATED,
          data: { n },
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
        },
        { pattern: PAID, data: { n }, eventId: randomUUID(), occurredAt: new Date().toISOString() },
      ]),
    );

    await eventually(() => seen.length >= 400);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a duplicate to show up
    for (const service of ['billing', 'mailer']) {
      for (const event of [CREATED, PAID]) {
        const got = seen.filter((s) => s.service === service && s.event === event).map((s) => s.n);
        expect(got.sort((a, b) => a - b)).toEqual(range(100));
      }
    }
  });

  it('hands a message taken by a replica that died to another replica after the idle time', async () => {
    const runs: string[] = [];
    const overrides = { claimIdleMs: 400 };
    const victim = await startReplica({
      space,
      service: 'crash',
      consumerName: 'victim',
      overrides,
      controllers: [
        controllerFor({ pattern: 'crash.work', handle: () => (runs.push('victim'), never()) }),
      ],
    });
    const reply = sut.request('crash.work', { n: 1 }, { timeoutMs: 8000 });
    await eventually(() => runs.length === 1);
    busServerOf(victim).destroy();
    apps.push(
      await startReplica({
        space,
        service: 'crash',
        consumerName: 'survivor',
        overrides,
        controllers: [
          controllerFor({ pattern: 'crash.work', handle: () => (runs.push('survivor'), 'done') }),
        ],
      }),
    );

    await expect(reply).resolves.toBe('done');
    expect(runs).toEqual(['victim', 'survivor']);
    await eventually(
      async () => (await pendingCount(redis, keys.requestStream('crash'), 'crash')) === 0,
    );
  });

  it('rides out a primary killed mid-traffic once every primary has a replica', async () => {
    await cluster.addReplicas();
    const victim = await cluster.primaryOf(keys.requestStream('workers'));
    const before = seen.length;
    const requests: Array<'ok' | 'failed'> = [];
    const published: number[] = [];
    let publishFailures = 0;
    let killedAt = -1;
    let stop = false;
    let n = 10_000;

    // Requests and events, one of each every 10 ms, until the cluster has recovered.
    const traffic = (async () => {
      while (!stop) {
        const mine = n++;
        void sut.request(WORK, { n: mine }, { timeoutMs: 1500 }).then(
          () => requests.push('ok'),
          () => requests.push('failed'),
        );
        const event = {
          pattern: CREATED,
          data: { n: mine },
          eventId: randomUUID(),
          occurredAt: new Date().toISOString(),
        };
        void sut.publishEvents([event]).then(
          () => published.push(mine),
          () => publishFailures++,
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    await eventually(() => requests.length >= 50);
    killedAt = requests.length;
    await cluster.kill(victim);
    await cluster.waitUntilHealthy(30_000);
    const storedBeforeRecovery = published.length;
    // Recovered: the last 50 requests all answered.
    await eventually(
      () => requests.length > killedAt + 50 && requests.slice(-50).every((r) => r === 'ok'),
      30_000,
    );
    stop = true;
    await traffic;
    await new Promise((resolve) => setTimeout(resolve, 1600)); // the last calls settle

    const delivered = (service: string) =>
      new Set(
        seen
          .slice(before)
          .filter((s) => s.service === service && s.event === CREATED)
          .map((s) => s.n),
      );
    await eventually(
      () => published.every((p) => delivered('billing').has(p) && delivered('mailer').has(p)),
      15_000,
    ).catch(() => undefined);
    const lost = published.filter(
      (p) => !delivered('billing').has(p) || !delivered('mailer').has(p),
    );
    const failedRequests = requests.filter((r) => r === 'failed').length;
    process.stdout.write(
      `Redis Cluster failover: ${requests.length} requests, ${failedRequests} failed (timed out or refused); ` +
        `${published.length} events stored, ${publishFailures} refused, ${lost.length} stored but never delivered\n`,
    );

    // What a caller saw fail is its to retry; what Redis acknowledged may be lost only in the
    // window before the dead primary replicated it, which is what the outbox covers (it resends).
    expect(requests.slice(-50).every((r) => r === 'ok')).toBe(true);
    expect(lost.filter((p) => published.indexOf(p) >= storedBeforeRecovery)).toEqual([]);
  }, 90_000);
});
