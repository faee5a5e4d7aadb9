import { Controller, INestMicroservice } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { eventName } from '@up/contracts';
import { Correlation } from '@up/logging';
import { createTestRedisSpace } from '@up/testing';
import { eventually, newTestClient, startReplica } from '../test/bus-test-kit';
import { RedisStreamsClient } from './client/redis-streams.client';

interface Created {
  n: number;
}

const CREATED = eventName<Created>('thing.created', { publishers: ['gateway'] });
const EVENT_COUNT = 200;

type Seen = Array<{ service: string; replica: string; n: number; correlationId?: string }>;

function listener(service: string, replica: string, seen: Seen) {
  @Controller()
  class ThingListener {
    @EventPattern(CREATED)
    async onCreated(@Payload() event: Created) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push({ service, replica, n: event.n, correlationId: Correlation.id() });
    }
  }
  return ThingListener;
}

describe('RedisStreamsServer events', () => {
  const space = createTestRedisSpace();
  const seen: Seen = [];
  const replicas: INestMicroservice[] = [];
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    for (const service of ['billing', 'mailer']) {
      for (const replica of ['a', 'b']) {
        replicas.push(
          await startReplica({
            space,
            service,
            consumerName: replica,
            controllers: [listener(service, replica, seen)],
          }),
        );
      }
    }
    sut = newTestClient(space);
  });

  afterAll(async () => {
    await sut.close();
    await Promise.all(replicas.map((replica) => replica.close()));
    await space.clear();
  });

  it('delivers each event once to each subscribing service, spread over its replicas', async () => {
    await Correlation.run('corr-events', () =>
      Promise.all(Array.from({ length: EVENT_COUNT }, (_, n) => sut.publishEvent(CREATED, { n }))),
    );

    await eventually(() => seen.length >= 2 * EVENT_COUNT);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a duplicate to show up

    for (const service of ['billing', 'mailer']) {
      const ofService = seen.filter((s) => s.service === service);
      expect(ofService.map((s) => s.n).sort((x, y) => x - y)).toEqual(
        Array.from({ length: EVENT_COUNT }, (_, n) => n),
      );
      expect(ofService.filter((s) => s.replica === 'a').length).toBeGreaterThan(0);
      expect(ofService.filter((s) => s.replica === 'b').length).toBeGreaterThan(0);
    }
    expect(new Set(seen.map((s) => s.correlationId))).toEqual(new Set(['corr-events']));
  });
});
