import { Controller, INestMicroservice, Module, Type } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import type { RedisClient } from '@up/config';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import { LoggingModule } from '@up/logging';
import { TestRedisSpace } from '@up/testing';
import { allowedSendersOf } from '@up/contracts';
import { BusAccessPolicy, BusOptions, busOptionsFromConfig } from '../src/bus.options';
import { RedisStreamsClient } from '../src/client/redis-streams.client';
import { createBusMicroservice } from '../src/create-bus-microservice';

/**
 * Where a test's bus lives: the test file's Redis key space, and any variable more (a Redis
 * Cluster test gives `REDIS_CLUSTER_NODES`).
 */
export type TestBusSpace = Pick<TestRedisSpace, 'url' | 'prefix'> & {
  env?: Record<string, string>;
};

/** The configuration of a bus in a test: the test file's Redis key space, plus any override. */
export function testConfig(space: TestBusSpace, env: Record<string, string> = {}): CommonEnv {
  return loadConfig(CommonEnv, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: space.url,
    REDIS_KEY_PREFIX: space.prefix,
    ...space.env,
    ...env,
  });
}

export function testBusOptions(
  space: TestBusSpace,
  overrides: Partial<BusOptions> = {},
): BusOptions {
  // Test clients speak as the gateway: the test patterns name it among their callers.
  return { ...busOptionsFromConfig(testConfig(space), 'gateway'), ...overrides };
}

/**
 * The allow-lists of a test replica: the declared ones, and the test client (signing as the
 * gateway) for the plain string patterns tests use without declaring them.
 */
export const testAccess: BusAccessPolicy = (kind, pattern) =>
  allowedSendersOf(kind, pattern) ?? ['gateway'];

export interface ReplicaArgs {
  space: TestBusSpace;
  service: string;
  consumerName: string;
  controllers: Type<unknown>[];
  providers?: Type<unknown>[];
  overrides?: Partial<BusOptions>;
}

/** One running replica of a service, built exactly as a service's main.ts builds it. */
export async function startReplica(args: ReplicaArgs): Promise<INestMicroservice> {
  @Module({
    imports: [
      ConfigModule.forRoot(CommonEnv, testConfig(args.space)),
      LoggingModule.forRoot(args.service),
    ],
    controllers: args.controllers,
    providers: args.providers ?? [],
  })
  class ReplicaModule {}

  const app = await createBusMicroservice(ReplicaModule, {
    service: args.service,
    consumerName: args.consumerName,
    overrides: { access: testAccess, ...args.overrides },
  });
  await app.listen();
  return app;
}

export function newTestClient(
  space: TestBusSpace,
  overrides: Partial<BusOptions> = {},
): RedisStreamsClient {
  return new RedisStreamsClient(
    testBusOptions(space, { consumerName: 'test-client', ...overrides }),
  );
}

/** Polls until `condition` holds (or fails the test after `timeoutMs`). */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A controller answering `pattern` with `handle` (a request handler, or an event handler). */
export function controllerFor(args: {
  pattern: string;
  handle: (data: unknown) => unknown;
  event?: boolean;
}): Type<unknown> {
  if (args.event) {
    @Controller()
    class EventController {
      @EventPattern(args.pattern)
      run(@Payload() data: unknown) {
        return args.handle(data);
      }
    }
    return EventController;
  }
  @Controller()
  class RequestController {
    @MessagePattern(args.pattern)
    run(@Payload() data: unknown) {
      return args.handle(data);
    }
  }
  return RequestController;
}

/** Number of entries pending (taken, not acknowledged) in a group. */
export async function pendingCount(
  redis: RedisClient,
  stream: string,
  group: string,
): Promise<number> {
  const [count] = (await redis.xpending(stream, group)) as [number];
  return Number(count);
}

export function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}
