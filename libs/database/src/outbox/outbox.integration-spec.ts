import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { BusKeys, BusModule, RedisStreamsContext } from '@up/bus';
import { ConfigModule, DatabaseEnv, loadConfig } from '@up/config';
import { EventName, eventName } from '@up/contracts';
import { LoggingModule } from '@up/logging';
import {
  createTestDatabase,
  createTestRedisSpace,
  freePort,
  RedisProcess,
  TestDatabase,
  TestRedisSpace,
} from '@up/testing';
import { DatabaseModule } from '../database.module';
import { TransactionRunner } from '../transactions';
import { EventInbox } from './event-inbox';
import { Outbox } from './outbox';
import { OutboxModule } from './outbox.module';
import { OutboxRelay } from './outbox-relay';
import {
  addOutboxTraceContext,
  createOutboxTables,
  dropOutboxTables,
  dropOutboxTraceContext,
} from './outbox.tables';

const SCHEMA = 'outbox_test';
const THING_HAPPENED: EventName<{ n: number }> = eventName('test.thing_happened', {
  publishers: ['events'],
});

class CreateOutbox1700000000000 implements MigrationInterface {
  name = 'CreateOutbox1700000000000';
  up = (runner: QueryRunner) => createOutboxTables(runner, SCHEMA);
  down = (runner: QueryRunner) => dropOutboxTables(runner, SCHEMA);
}

class AddOutboxTraceContext1700000000001 implements MigrationInterface {
  name = 'AddOutboxTraceContext1700000000001';
  up = (runner: QueryRunner) => addOutboxTraceContext(runner, SCHEMA);
  down = (runner: QueryRunner) => dropOutboxTraceContext(runner, SCHEMA);
}

interface Sent {
  eventId: string;
  occurredAt: string;
  correlationId?: string;
  data: { n: number };
}

describe('outbox', () => {
  let database: TestDatabase;
  let space: TestRedisSpace;
  let redis: Redis;
  const apps: INestApplicationContext[] = [];

  function config(env: Record<string, string> = {}): DatabaseEnv {
    return loadConfig(DatabaseEnv, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: space.url,
      REDIS_KEY_PREFIX: space.prefix,
      BUS_REQUEST_TIMEOUT_MS: '1000',
      OUTBOX_POLL_INTERVAL_MS: '50',
      ...env,
    });
  }

  /** One replica of a service that publishes through its outbox. */
  async function replica(env: Record<string, string> = {}): Promise<INestApplicationContext> {
    @Module({
      imports: [
        ConfigModule.forRoot(DatabaseEnv, config(env)),
        LoggingModule.forRoot('outbox-test'),
        BusModule.forRoot('events'),
        DatabaseModule.forService({
          schema: SCHEMA,
          entities: [],
          migrations: [CreateOutbox1700000000000, AddOutboxTraceContext1700000000001],
        }),
        OutboxModule.forService(SCHEMA),
      ],
    })
    class ReplicaModule {}
    const app = await NestFactory.createApplicationContext(ReplicaModule, { logger: false });
    await app.init();
    apps.push(app);
    return app;
  }

  async function sent(): Promise<Sent[]> {
    const entries = (await redis.xrange(
      new BusKeys(space.prefix).eventStream(THING_HAPPENED),
      '-',
      '+',
    )) as [string, string[]][];
    return entries.map(([, fields]) => {
      const wire = JSON.parse(fields[1]) as { e: string; o: string; c?: string; d: { n: number } };
      return { eventId: wire.e, occurredAt: wire.o, correlationId: wire.c, data: wire.d };
    });
  }

  async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  function publish(app: INestApplicationContext, n: number, fail = false): Promise<string> {
    const outbox = app.get(Outbox);
    return app.get(TransactionRunner).run(async (tx) => {
      const id = await outbox.publish(tx, THING_HAPPENED, { n });
      if (fail) throw new Error('rolled back');
      return id;
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    space = createTestRedisSpace();
    redis = new Redis(space.url);
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await space.clear();
    const ds = new DataSource({ type: 'postgres', url: database.url });
    await ds.initialize();
    await ds
      .query(`TRUNCATE "${SCHEMA}"."outbox", "${SCHEMA}"."processed_events"`)
      .catch(() => undefined);
    await ds.destroy();
  });

  afterAll(async () => {
    redis.disconnect();
    await database?.drop();
  });

  it('sends what a transaction committed, with its event id and time, and nothing it rolled back', async () => {
    const app = await replica();
    const eventId = await publish(app, 1);
    await expect(publish(app, 2, true)).rejects.toThrow('rolled back');

    const events = await until(sent, (s) => s.length >= 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventId, data: { n: 1 } });
    expect(Number.isNaN(Date.parse(events[0].occurredAt))).toBe(false);
    await until(
      () => app.get(OutboxRelay).lag(),
      (lag) => lag.unsent === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sent()).toHaveLength(1);
    expect(await app.get(OutboxRelay).lag()).toEqual({ unsent: 0, oldestAgeMs: null });
  });

  it('keeps committed events while Redis is down and sends them once it is back', async () => {
    const port = await freePort();
    const outage = new RedisProcess(port);
    const app = await replica({ REDIS_URL: outage.url });
    try {
      const eventId = await publish(app, 7);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const waiting = await app.get(OutboxRelay).lag();
      expect(waiting.unsent).toBe(1);
      expect(waiting.oldestAgeMs).toBeGreaterThan(1000);

      await outage.start();
      const local = new Redis(outage.url);
      try {
        const stream = new BusKeys(space.prefix).eventStream(THING_HAPPENED);
        const entries = await until(
          () => local.xrange(stream, '-', '+'),
          (e) => e.length > 0,
        );
        expect(entries).toHaveLength(1);
        expect(JSON.parse(entries[0][1][1])).toMatchObject({ e: eventId, d: { n: 7 } });
      } finally {
        local.disconnect();
      }
    } finally {
      await app.close();
      apps.splice(apps.indexOf(app), 1);
      await outage.kill();
    }
  }, 30_000);

  it('shares the rows between two replicas without sending one twice', async () => {
    const [a, b] = [await replica(), await replica()];
    const total = 1000;
    const runner = a.get(TransactionRunner);
    const outbox = a.get(Outbox);
    // Committed while no relay is woken, then both replicas' relays race for them.
    await runner.run((tx) =>
      outbox.publishAll(
        tx,
        Array.from({ length: total }, (_, n) => ({ name: THING_HAPPENED, payload: { n } })),
      ),
    );
    b.get(OutboxRelay).nudge();
    const events = await until(sent, (s) => s.length >= total);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = await sent();
    expect(all).toHaveLength(total);
    expect(new Set(all.map((e) => e.eventId)).size).toBe(total);
    expect(events.map((e) => e.data.n).sort((x, y) => x - y)).toEqual(
      Array.from({ length: total }, (_, n) => n),
    );
  });

  it('sends a batch again when the relay dies before deleting it; the inbox applies it once', async () => {
    const app = await replica({ OUTBOX_RELAY_ENABLED: 'false' });
    const relay = app.get(OutboxRelay);
    const eventId = await publish(app, 3);
    // The relay's transaction fails after XADD: as if the process died before its commit.
    const rows = (relay as unknown as { rows: { deleteSent: () => Promise<void> } }).rows;
    const deleteSent = rows.deleteSent;
    rows.deleteSent = () => Promise.reject(new Error('killed before commit'));
    await expect(relay.relayOnce()).rejects.toThrow('killed before commit');
    rows.deleteSent = deleteSent;
    expect(await relay.lag()).toMatchObject({ unsent: 1 });
    await expect(relay.relayOnce()).resolves.toBe(1);

    const deliveries = await sent();
    expect(deliveries.map((d) => d.eventId)).toEqual([eventId, eventId]);

    const inbox = app.get(EventInbox);
    const runner = app.get(TransactionRunner);
    let effects = 0;
    for (const delivery of deliveries) {
      const context = new RedisStreamsContext(['s', '1-0', THING_HAPPENED, 1, delivery.eventId]);
      await runner.run(async (tx) => {
        if (await inbox.firstDelivery(tx, 'test.count', context)) effects += 1;
      });
    }
    expect(effects).toBe(1);
  });
});
