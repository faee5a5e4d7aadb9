import { Client } from 'pg';
import Redis from 'ioredis';
import { CommonEnv } from '@up/config';
import { healthPattern } from '@up/contracts';
import { Platform, startPlatform } from './platform';
import { TEST_POSTGRES_URL } from './test-infra';

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url);
  try {
    return await redis.keys(`${prefix}:*`);
  } finally {
    redis.disconnect();
  }
}

describe(startPlatform.name, () => {
  let platform: Platform | undefined;

  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  it('boots only the apps asked for, with replicas as separate bus consumers', async () => {
    platform = await startPlatform({ apps: ['users'], replicas: { users: 2 } });

    expect(platform.apps.map((app) => `${app.name}-${app.replica}`)).toEqual([
      'users-0',
      'users-1',
    ]);
    expect(platform.app('users', 1).config.BUS_CONSUMER_NAME).toBe('users-1');
    expect(() => platform?.gatewayUrl).toThrow(/gateway was not started/);
    expect(() => platform?.telegram).toThrow(/No fake Telegram was started/);
    expect(() => platform?.app('events')).toThrow(/events replica 0 was not started/);
  });

  it('keeps a service answering while one of its replicas is stopped', async () => {
    platform = await startPlatform({ apps: ['users'], replicas: { users: 2 } });

    await platform.app('users', 0).stop();

    expect(platform.app('users', 0).running).toBe(false);
    await expect(platform.bus.send(healthPattern('users'), {})).resolves.toMatchObject({
      status: 'ok',
    });
  });

  it('starts a stopped service again, which answers what was sent to it meanwhile', async () => {
    platform = await startPlatform({ apps: ['users'] });
    const first = platform.app('users').nest;
    await platform.app('users').stop();

    const sentWhileDown = platform.bus.send(healthPattern('users'), {}, { timeoutMs: 20_000 });
    await platform.app('users').start();

    expect(platform.app('users')).toMatchObject({ running: true });
    expect(platform.app('users').nest).not.toBe(first);
    expect(platform.app('users').config.BUS_CONSUMER_NAME).toBe('users-0');
    await expect(sentWhileDown).resolves.toMatchObject({ status: 'ok' });
  });

  it('gives every app the same environment, with overrides for all apps and for one', async () => {
    platform = await startPlatform({
      apps: ['users', 'events'],
      env: { BUS_REQUEST_TIMEOUT_MS: '2500' },
      appEnv: { events: { DEFAULT_EVENT_TIMEZONE: 'Asia/Tokyo' } },
    });

    expect(platform.app('users').config).toMatchObject({
      NODE_ENV: 'test',
      REDIS_KEY_PREFIX: platform.redis.prefix,
      BUS_REQUEST_TIMEOUT_MS: 2500,
    });
    // CommonEnv resolves to the app's own config instance (EventsConfig here).
    expect(platform.app('events').get(CommonEnv)).toMatchObject({
      DEFAULT_EVENT_TIMEZONE: 'Asia/Tokyo',
    });
    expect(platform.env.DATABASE_URL).toBe(platform.database.url);
    expect(platform.env.JWT_SECRET).toMatch(/^[0-9a-f]{64}$/);
  });

  it('drops its database and its Redis keys on close', async () => {
    const started = await startPlatform({ apps: ['auth-codes'] });
    await started.bus.send(healthPattern('auth-codes'), {});
    expect(await keysUnder(started.redis.url, started.redis.prefix)).not.toEqual([]);

    await started.close();

    expect(await databaseExists(started.database.name)).toBe(false);
    expect(await keysUnder(started.redis.url, started.redis.prefix)).toEqual([]);
  });
});
