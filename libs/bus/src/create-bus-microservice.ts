import { DynamicModule, INestMicroservice, Type, ValidationPipe } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { NestMicroserviceOptions } from '@nestjs/common/interfaces/microservices/nest-microservice-options.interface';
import { Logger as PinoLogger } from 'nestjs-pino';
import { CommonEnv } from '@up/config';
import { BusExceptionFilter, validationFailed } from './bus-exception.filter';
import { BusOptions, busOptionsFromConfig } from './bus.options';
import { RedisStreamsServer } from './server/redis-streams.server';

/** A compiled testing module (`Test.createTestingModule(...).compile()`) works as well as a module class. */
export interface MicroserviceFactory {
  createNestMicroservice<T extends object>(options: NestMicroserviceOptions & T): INestMicroservice;
}

export interface BusMicroserviceOptions {
  service: string;
  /** Overrides BUS_CONSUMER_NAME (e.g. two replicas in one test process). */
  consumerName?: string;
  /** Any other bus option, over the configuration's (tests: short idle times). */
  overrides?: Partial<BusOptions>;
}

const servers = new WeakMap<INestMicroservice, RedisStreamsServer>();

/** The transport of an app made by createBusMicroservice (health checks, tests that stop a replica hard). */
export function busServerOf(app: INestMicroservice): RedisStreamsServer {
  const server = servers.get(app);
  if (!server) throw new Error('This app was not created by createBusMicroservice');
  return server;
}

/**
 * Creates a bus service: the Redis Streams strategy configured from the app's own validated
 * CommonEnv, pino logs, payload validation (whose failures answer VALIDATION_FAILED with field
 * details), the exception filter, and shutdown hooks so SIGTERM drains in-flight messages.
 * `main.ts` then calls `app.listen()`.
 */
export async function createBusMicroservice(
  moduleOrFactory: Type<unknown> | DynamicModule | MicroserviceFactory,
  options: BusMicroserviceOptions,
): Promise<INestMicroservice> {
  let resolveConfig: () => CommonEnv = () => {
    throw new Error('The bus configuration is read once the app is created');
  };
  const strategy = new RedisStreamsServer(() => ({
    ...busOptionsFromConfig(resolveConfig(), options.service),
    ...(options.consumerName ? { consumerName: options.consumerName } : {}),
    ...options.overrides,
    service: options.service,
  }));
  // abortOnError off: a failure reaches the caller (main.ts logs it and exits) instead of process.exit.
  const microserviceOptions = { strategy, bufferLogs: true, abortOnError: false };
  const app = isMicroserviceFactory(moduleOrFactory)
    ? moduleOrFactory.createNestMicroservice(microserviceOptions)
    : await NestFactory.createMicroservice(moduleOrFactory, microserviceOptions);
  servers.set(app, strategy);
  const config = app.get(CommonEnv);
  resolveConfig = () => config;

  const logger = pinoLoggerOf(app);
  if (logger) app.useLogger(logger);
  else app.flushLogs();
  app.useGlobalPipes(
    new ValidationPipe({ transform: true, whitelist: true, exceptionFactory: validationFailed }),
  );
  app.useGlobalFilters(new BusExceptionFilter());
  app.enableShutdownHooks();
  return app;
}

/** The app's pino logger when it imports LoggingModule; Nest's own logger otherwise. */
function pinoLoggerOf(app: INestMicroservice): PinoLogger | undefined {
  // Through ModuleRef: app.get() of a missing provider would also log an error from Nest's zone.
  try {
    return app.get(ModuleRef).get(PinoLogger, { strict: false });
  } catch {
    return undefined;
  }
}

function isMicroserviceFactory(
  value: Type<unknown> | DynamicModule | MicroserviceFactory,
): value is MicroserviceFactory {
  return typeof (value as Partial<MicroserviceFactory>).createNestMicroservice === 'function';
}
