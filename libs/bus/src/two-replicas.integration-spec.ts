import { Controller, INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestPattern } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import { newTestClient, startReplica } from '../test/bus-test-kit';
import { RedisStreamsClient } from './client/redis-streams.client';

interface Job {
  n: number;
}

const WORK = requestPattern<Job, { n: number; replica: string }>('workers.work', {
  callers: ['gateway'],
});

function workersController(replica: string, handled: Map<number, string[]>) {
  @Controller()
  class WorkersController {
    @MessagePattern(WORK)
    async work(@Payload() job: Job) {
      handled.set(job.n, [...(handled.get(job.n) ?? []), replica]);
      // A little real asynchrony, so one replica cannot swallow the whole burst at once.
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { n: job.n, replica };
    }
  }
  return WorkersController;
}

describe('RedisStreamsServer with two replicas', () => {
  const space = createTestRedisSpace();
  const handled = new Map<number, string[]>();
  const replicas: INestMicroservice[] = [];
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    for (const name of ['r1', 'r2']) {
      replicas.push(
        await startReplica({
          space,
          service: 'workers',
          consumerName: name,
          controllers: [workersController(name, handled)],
        }),
      );
    }
    sut = newTestClient(space);
    await sut.connect();
  });

  afterAll(async () => {
    await sut.close();
    await Promise.all(replicas.map((replica) => replica.close()));
    await space.clear();
  });

  it('handles each of 1000 requests exactly once, spread over both replicas', async () => {
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, n) =>
        sut.request<{ n: number; replica: string }>(WORK, { n }),
      ),
    );

    expect(replies.map((reply) => reply.n)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    expect(handled.size).toBe(1000);
    expect([...handled.values()].filter((by) => by.length !== 1)).toEqual([]);
    const perReplica = { r1: 0, r2: 0 };
    for (const reply of replies) perReplica[reply.replica as 'r1' | 'r2']++;
    // Both busy: neither replica took (almost) everything.
    expect(perReplica.r1).toBeGreaterThan(100);
    expect(perReplica.r2).toBeGreaterThan(100);
  });
});
