import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CommonEnv, ConfigModule, DatabaseEnv, loadConfig } from '@up/config';
import { DatabaseModule } from '@up/database';
import {
  createTestDatabase,
  createTestRedisSpace,
  TestDatabase,
  TestRedisSpace,
} from '@up/testing';
import { HealthModule } from './health.module';
import { SERVICE_HEALTH_CHECKS, ServiceHealth, ServiceHealthCheck } from './service-health';

/** Nothing listens on port 1: connections are refused at once. */
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

describe(ServiceHealth.name, () => {
  let db: TestDatabase;
  let redis: TestRedisSpace;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createTestRedisSpace();
  });

  afterAll(async () => {
    await db?.drop();
    await redis?.clear();
  });

  async function newTestService(options: { database: boolean; redisUrl?: string }) {
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      REDIS_URL: options.redisUrl ?? redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
    };
    const moduleRef = await Test.createTestingModule({
      imports: options.database
        ? [
            ConfigModule.forRoot(DatabaseEnv, loadConfig(DatabaseEnv, env)),
            DatabaseModule.forService({ schema: 'health_probe', entities: [], migrations: [] }),
            HealthModule.forService('users'),
          ]
        : [
            ConfigModule.forRoot(CommonEnv, loadConfig(CommonEnv, env)),
            HealthModule.forService('users'),
          ],
    }).compile();
    await moduleRef.init();
    return { sut: moduleRef.get(ServiceHealth), close: () => moduleRef.close() };
  }

  it('reports ok when PostgreSQL answers SELECT 1 and Redis answers PING', async () => {
    const { sut, close } = await newTestService({ database: true });
    try {
      await expect(sut.report('users')).resolves.toEqual({
        status: 'ok',
        service: 'users',
        checks: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    } finally {
      await close();
    }
  });

  it('reports the Redis check down, within its timeout, when Redis cannot be reached', async () => {
    const { sut, close } = await newTestService({ database: true, redisUrl: UNREACHABLE_REDIS });
    try {
      const started = Date.now();
      const report = await sut.report('users');

      expect(Date.now() - started).toBeLessThan(1500);
      expect(report).toMatchObject({
        status: 'error',
        checks: {
          database: { status: 'up' },
          redis: { status: 'down', message: expect.any(String) },
        },
      });
    } finally {
      await close();
    }
  });

  it('adds the checks other modules provide, a failing one as down', async () => {
    const extra: ServiceHealthCheck[] = [
      { name: 'outbox', check: () => Promise.resolve({ status: 'up', message: '0 unsent' }) },
      { name: 'broken', check: () => Promise.reject(new Error('no answer')) },
    ];
    @Global()
    @Module({
      providers: [{ provide: SERVICE_HEALTH_CHECKS, useValue: extra }],
      exports: [SERVICE_HEALTH_CHECKS],
    })
    class ExtraChecks {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(
          CommonEnv,
          loadConfig(CommonEnv, { NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: redis.url }),
        ),
        ExtraChecks,
        HealthModule.forService('users'),
      ],
    }).compile();
    await moduleRef.init();
    try {
      await expect(moduleRef.get(ServiceHealth).report('users')).resolves.toEqual({
        status: 'error',
        service: 'users',
        checks: {
          redis: { status: 'up' },
          outbox: { status: 'up', message: '0 unsent' },
          broken: { status: 'down', message: 'no answer' },
        },
      });
    } finally {
      await moduleRef.close();
    }
  });

  it('checks Redis alone in a service without a database', async () => {
    const { sut, close } = await newTestService({ database: false });
    try {
      await expect(sut.report('users')).resolves.toEqual({
        status: 'ok',
        service: 'users',
        checks: { redis: { status: 'up' } },
      });
    } finally {
      await close();
    }
  });
});
