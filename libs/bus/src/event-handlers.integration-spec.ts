import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { eventName } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import { eventually, newTestClient, startReplica } from '../test/bus-test-kit';
import { RedisStreamsClient } from './client/redis-streams.client';
import { RedisStreamsContext } from './server/redis-streams.context';

const HAPPENED = eventName<{ n: number }>('thing.happened', { publishers: ['gateway'] });

describe('RedisStreamsServer with several handlers of one event', () => {
  const space = createTestRedisSpace();
  let replica: INestMicroservice | undefined;
  let client: RedisStreamsClient;

  beforeAll(() => {
    client = newTestClient(space);
  });

  afterEach(async () => {
    await replica?.close();
    replica = undefined;
  });

  afterAll(async () => {
    await client.close();
    await space.clear();
  });

  it('runs each handler once per delivery and hands them the event id and time', async () => {
    const calls: string[] = [];
    const ids: (string | undefined)[] = [];
    @Controller()
    class First {
      @EventPattern(HAPPENED)
      onHappened(@Payload() event: { n: number }, @Ctx() context: RedisStreamsContext) {
        calls.push(`first:${event.n}`);
        ids.push(context.getEventId(), context.getOccurredAt());
      }
    }
    @Controller()
    class Second {
      @EventPattern(HAPPENED)
      onHappened(@Payload() event: { n: number }) {
        calls.push(`second:${event.n}`);
      }
    }
    replica = await startReplica({
      space,
      service: 'listener',
      consumerName: 'a',
      controllers: [First, Second],
    });

    await client.publishEvents([
      { pattern: HAPPENED, data: { n: 1 }, eventId: 'e-1', occurredAt: '2026-01-01T00:00:00.000Z' },
    ]);
    await eventually(() => calls.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a second run to show up

    expect(calls.sort()).toEqual(['first:1', 'second:1']);
    expect(ids).toEqual(['e-1', '2026-01-01T00:00:00.000Z']);
  });

  it('leaves the event pending when one handler fails, and delivers it again to both', async () => {
    const calls: string[] = [];
    let failures = 1;
    @Controller()
    class Steady {
      @EventPattern(HAPPENED)
      onHappened() {
        calls.push('steady');
      }
    }
    @Controller()
    class Flaky {
      @EventPattern(HAPPENED)
      onHappened() {
        calls.push('flaky');
        if (failures-- > 0) throw new Error('not this time');
      }
    }
    replica = await startReplica({
      space,
      service: 'retrying',
      consumerName: 'a',
      controllers: [Steady, Flaky],
      overrides: { claimIdleMs: 200 },
    });

    await client.publishEvent(HAPPENED, { n: 2 });
    await eventually(() => calls.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 600));

    // Delivered twice: the failed delivery ran both once, the retry ran both once more.
    expect(calls.sort()).toEqual(['flaky', 'flaky', 'steady', 'steady']);
  });
});
