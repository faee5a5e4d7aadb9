import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import Redis from 'ioredis';

/**
 * Tests talk to the machine's real PostgreSQL and Redis, each test file in its own database and
 * its own Redis key prefix, so runs never touch development data and two runs can go at once.
 * TEST_DATABASE_URL / TEST_REDIS_URL point them at another server.
 */
export const TEST_POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function uniqueSuffix(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file; `drop()` removes it (call it in afterAll). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `up_test_${uniqueSuffix()}`;
  const admin = new URL(TEST_POSTGRES_URL);
  const adminClient = new Client({ connectionString: admin.toString() });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE "${name}"`);
  await adminClient.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestRedisSpace {
  url: string;
  prefix: string;
  /** Deletes every key under the prefix. */
  clear(): Promise<void>;
}

/** A Redis key space of its own for one test file: every key the code under test writes starts with `prefix`. */
export function createTestRedisSpace(): TestRedisSpace {
  const prefix = `test_${uniqueSuffix()}`;
  return {
    url: TEST_REDIS_URL,
    prefix,
    clear: () => unlinkKeysWithPrefix(TEST_REDIS_URL, prefix),
  };
}

/** Unlinks every key under `prefix` (`<prefix>:*`): what a test file or a benchmark run wrote. */
export async function unlinkKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
