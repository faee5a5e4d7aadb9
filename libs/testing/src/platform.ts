import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BusClient, BusModule, createBusMicroservice } from '@up/bus';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import {
  AppSources,
  loadAppSources,
  loadCreateGatewayApp,
  PLATFORM_APPS,
  PLATFORM_SERVICES,
  PlatformAppName,
} from './platform-apps';
import { testBusSenderOf } from './bus-sender';
import { ApiClient, apiClient } from './platform-http';
import { FakeTelegramBotApi, FakeTelegramBotApiOptions } from './telegram';
import {
  createTestDatabase,
  createTestRedisSpace,
  TestDatabase,
  TestRedisSpace,
} from './test-infra';

export interface StartPlatformOptions {
  /** Apps to boot (default: all five). Services boot first, then the gateway and the bot. */
  apps?: readonly PlatformAppName[];
  /**
   * Replicas of a bus service or of the bot (default 1 each); each is its own consumer `<app>-<n>`.
   */
  replicas?: Partial<Record<PlatformAppName, number>>;
  /** Environment of every app, over the test defaults (e.g. `{ TELEGRAM_API_ROOT: fake.url }`). */
  env?: Record<string, string>;
  /** Environment of one app only, over `env`. */
  appEnv?: Partial<Record<PlatformAppName, Record<string, string>>>;
  /**
   * Starts a fake Telegram Bot API (`platform.telegram`) and points the bot at it
   * (TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT; `appEnv.bot` still wins); startPlatform then returns
   * once the bot is polling it. Closed with the platform.
   */
  telegram?: FakeTelegramBotApiOptions;
}

/** One running app (one replica of it). */
export interface PlatformApp {
  name: PlatformAppName;
  replica: number;
  /**
   * The Nest app: an HTTP app (gateway) or a microservice (the bus services and the bot).
   * `start()` replaces it: read it again after a restart rather than keeping the old one.
   */
  readonly nest: INestApplicationContext;
  /** Its validated configuration: `platform.app('gateway').get(GatewayConfig)` gives the app's own class. */
  readonly config: CommonEnv;
  /** A provider of the app's current instance, e.g. `get(UsersConfig)` or a service to inspect. */
  get<T>(token: Type<T> | string | symbol): T;
  readonly running: boolean;
  /** Closes this app the way SIGTERM does (in-flight work finishes); idempotent. */
  stop(): Promise<void>;
  /**
   * Boots a stopped app again, as a restarted process: a new instance with the same environment
   * and the same bus consumer name (so it takes up what its previous life left pending); the
   * gateway keeps its URL. Idempotent while running.
   */
  start(): Promise<void>;
}

export interface Platform {
  /** `http://127.0.0.1:<port>` of the gateway; throws when the gateway was not started. */
  readonly gatewayUrl: string;
  /** HTTP helper bound to the gateway (`platform.api.get('/ready')`). */
  readonly api: ApiClient;
  /** The fake Telegram Bot API the bot polls; throws unless started with `{ telegram: {...} }`. */
  readonly telegram: FakeTelegramBotApi;
  /** A bus client of its own on the platform's Redis prefix: `platform.bus.send(USERS.GET_PROFILE, {...})`. */
  readonly bus: BusClient;
  /** The environment every app got (JWT_SECRET, DATABASE_URL, REDIS_KEY_PREFIX, ...). */
  readonly env: Readonly<Record<string, string>>;
  readonly database: TestDatabase;
  readonly redis: TestRedisSpace;
  /** Every running or stopped app, in boot order. */
  readonly apps: readonly PlatformApp[];
  /** One app; `replica` counts from 0. */
  app(name: PlatformAppName, replica?: number): PlatformApp;
  /** Stops every app (and the fake Telegram), drops the database and deletes the Redis keys. */
  close(): Promise<void>;
}

const SERVICE_NAMES: readonly string[] = PLATFORM_SERVICES;

function isService(name: PlatformAppName): name is (typeof PLATFORM_SERVICES)[number] {
  return SERVICE_NAMES.includes(name);
}

function baseEnv(db: TestDatabase, redis: TestRedisSpace): Record<string, string> {
  return {
    NODE_ENV: 'test',
    // Tests set LOG_LEVEL (libs/testing/src/setup-env.ts: TEST_LOG_LEVEL, default silent).
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '4',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: randomBytes(32).toString('hex'),
    WEB_APP_URL: 'http://localhost:5173',
    // Without SMTP_URL the users service writes mail as files: never into the repository in tests.
    MAIL_OUTBOX_DIR: join(tmpdir(), 'up-club-test-mail', redis.prefix),
  };
}

/** Boots an app and answers its handle; `start()` after a `stop()` runs `boot` again. */
async function startApp(options: {
  name: PlatformAppName;
  replica: number;
  boot: () => Promise<INestApplicationContext>;
}): Promise<PlatformApp> {
  const { name, replica, boot } = options;
  let nest = await boot();
  let config = nest.get(CommonEnv);
  let running = true;
  // One stop or start at a time, so racing them never leaves two instances of one replica alive.
  let transition: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>) => (transition = transition.then(step, step));
  return {
    name,
    replica,
    get nest() {
      return nest;
    },
    get config() {
      return config;
    },
    get: <T>(token: Type<T> | string | symbol) => nest.get<T>(token, { strict: false }),
    get running() {
      return running;
    },
    stop: () =>
      serially(async () => {
        if (!running) return;
        running = false;
        await nest.close();
      }),
    start: () =>
      serially(async () => {
        if (running) return;
        nest = await boot();
        config = nest.get(CommonEnv);
        running = true;
      }),
  };
}

async function bootService(options: {
  name: (typeof PLATFORM_SERVICES)[number] | 'bot';
  sources: AppSources;
  env: Record<string, string>;
}): Promise<INestApplicationContext> {
  const { name, sources, env } = options;
  const config = loadConfig(sources.configSchema, env);
  const nest = await createBusMicroservice(sources.appModule.forRoot(config), {
    service: name,
    consumerName: env.BUS_CONSUMER_NAME,
  });
  await nest.listen();
  return nest;
}

async function bootGateway(options: {
  sources: AppSources;
  env: Record<string, string>;
  /** 0 (any free port) the first time; the port it had, when it is started again. */
  port: number;
}): Promise<{ nest: INestApplicationContext; url: string }> {
  const config = loadConfig(options.sources.configSchema, options.env);
  const createGatewayApp = await loadCreateGatewayApp();
  const nest = await createGatewayApp(config);
  // Always on loopback, whatever PORT/HOST the test passed.
  await nest.listen({ port: options.port, host: '127.0.0.1' });
  return { nest, url: await nest.getUrl() };
}

async function bootBot(options: {
  sources: AppSources;
  env: Record<string, string>;
}): Promise<INestApplicationContext> {
  // As apps/bot/src/main.ts does: a bus service (`bot`) that also talks to Telegram.
  return bootService({ name: 'bot', ...options });
}

/** A bus client outside every app, for tests that talk to services directly. */
async function standaloneBus(env: Record<string, string>): Promise<INestApplicationContext> {
  const config = loadConfig(CommonEnv, { ...env, BUS_CONSUMER_NAME: 'test-client' });
  @Module({
    imports: [
      ConfigModule.forRoot(CommonEnv, config),
      // Speaks for whoever may send each pattern (development keys), as tests call every service;
      // its replies come on a gateway reply channel, which every service may answer on.
      BusModule.forRoot('gateway', { senderOf: testBusSenderOf }),
    ],
  })
  class TestBusModule {}
  // No `logger` option: Nest's logger is process-wide, and `logger: false` here would silence
  // every app booted before it (their error lines included).
  const context = await NestFactory.createApplicationContext(TestBusModule, {
    abortOnError: false,
  });
  await context.init();
  return context;
}

/** Runs every step, then throws the first failure with the others attached, so nothing is left open. */
async function settleAll(steps: (() => Promise<unknown>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Closing the platform failed');
}

/**
 * Boots the platform in this process, with each app's real AppModule, against a fresh PostgreSQL
 * database and a Redis key prefix of its own:
 *
 * ```ts
 * let platform: Platform;
 * beforeAll(async () => { platform = await startPlatform({ apps: ['gateway', 'users'] }); });
 * afterAll(() => platform?.close());
 * it('...', async () => { const res = await platform.api.get('/ready'); ... });
 * ```
 */
export async function startPlatform(options: StartPlatformOptions = {}): Promise<Platform> {
  const wanted = PLATFORM_APPS.filter((name) => (options.apps ?? PLATFORM_APPS).includes(name));
  const database = await createTestDatabase();
  const redis = createTestRedisSpace();
  const env = { ...baseEnv(database, redis), ...options.env };
  const apps: PlatformApp[] = [];
  let gatewayUrl: string | undefined;
  let bus: INestApplicationContext | undefined;
  let telegram: FakeTelegramBotApi | undefined;

  const envOf = (name: PlatformAppName, replica: number) => ({
    ...env,
    BUS_CONSUMER_NAME: `${name}-${replica}`,
    ...(name === 'bot' && telegram
      ? { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url }
      : {}),
    ...options.appEnv?.[name],
  });

  const close = () =>
    settleAll([
      // Clients first, so nothing calls a service that is already gone; then the services.
      ...[...apps].reverse().map((app) => () => app.stop()),
      async () => bus?.close(),
      async () => telegram?.close(),
      () => database.drop(),
      () => redis.clear(),
    ]);

  try {
    if (options.telegram) telegram = await FakeTelegramBotApi.start(options.telegram);
    const sources = new Map<PlatformAppName, AppSources>();
    for (const name of wanted) sources.set(name, await loadAppSources(name));
    const source = (name: PlatformAppName) => sources.get(name) as AppSources;

    // Replicas of one service start together (their migrations wait on an advisory lock).
    const services = wanted
      .filter(isService)
      .flatMap((name) =>
        Array.from({ length: options.replicas?.[name] ?? 1 }, (_, replica) => ({ name, replica })),
      );
    apps.push(
      ...(await Promise.all(
        services.map(({ name, replica }) =>
          startApp({
            name,
            replica,
            boot: () => bootService({ name, sources: source(name), env: envOf(name, replica) }),
          }),
        ),
      )),
    );
    if (wanted.includes('gateway')) {
      const bootGatewayApp = async () => {
        const gateway = await bootGateway({
          sources: source('gateway'),
          env: envOf('gateway', 0),
          port: gatewayUrl ? Number(new URL(gatewayUrl).port) : 0,
        });
        gatewayUrl = gateway.url;
        return gateway.nest;
      };
      apps.push(await startApp({ name: 'gateway', replica: 0, boot: bootGatewayApp }));
    }
    if (wanted.includes('bot')) {
      const replicas = Array.from({ length: options.replicas?.bot ?? 1 }, (_, replica) => replica);
      apps.push(
        ...(await Promise.all(
          replicas.map((replica) =>
            startApp({
              name: 'bot',
              replica,
              boot: () => bootBot({ sources: source('bot'), env: envOf('bot', replica) }),
            }),
          ),
        )),
      );
      await telegram?.waitUntilPolling();
    }
    bus = await standaloneBus(env);
  } catch (error) {
    try {
      await close();
    } catch (cleanupError) {
      throw new AggregateError([error, cleanupError], 'Starting the platform failed');
    }
    throw error;
  }

  const busClient = bus.get(BusClient);
  const gatewayUrlOrThrow = () => {
    if (!gatewayUrl) throw new Error('The gateway was not started (startPlatform({ apps }))');
    return gatewayUrl;
  };
  const fakeTelegram = telegram;
  return {
    get gatewayUrl() {
      return gatewayUrlOrThrow();
    },
    get api() {
      return apiClient(gatewayUrlOrThrow());
    },
    get telegram() {
      if (!fakeTelegram)
        throw new Error('No fake Telegram was started (startPlatform({ telegram }))');
      return fakeTelegram;
    },
    bus: busClient,
    env,
    database,
    redis,
    apps,
    app(name, replica = 0) {
      const found = apps.find((app) => app.name === name && app.replica === replica);
      if (!found) throw new Error(`${name} replica ${replica} was not started`);
      return found;
    },
    close,
  };
}
