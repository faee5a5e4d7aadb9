#!/usr/bin/env node
// Is PostgreSQL (DATABASE_URL) / Redis (REDIS_URL) answering? Exit 0 if every named server does.
//
//   node scripts/check-infra.mjs [postgres] [redis] [--wait SECONDS] [--quiet]
//
// With --wait, keeps asking until the servers answer or the time is up (used by .ci/run after it
// started them). Reads `.env` like `npm start` does.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { config as loadDotenv } from 'dotenv';
import {
  checkPostgres,
  checkRedis,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  unreachableMessage,
} from './lib/infra.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
loadDotenv({ path: join(ROOT, '.env'), quiet: true });

const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const waitIndex = args.indexOf('--wait');
const waitMs = waitIndex >= 0 ? Number(args[waitIndex + 1]) * 1000 : 0;
const named = args.filter((arg) => arg === 'postgres' || arg === 'redis');
const wanted = named.length > 0 ? named : ['postgres', 'redis'];

const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
const checks = {
  postgres: async () => ({
    result: await checkPostgres(databaseUrl),
    variable: 'DATABASE_URL',
    url: databaseUrl,
  }),
  redis: async () => ({ result: await checkRedis(redisUrl), variable: 'REDIS_URL', url: redisUrl }),
};

const deadline = Date.now() + waitMs;
for (;;) {
  const outcomes = await Promise.all(wanted.map((name) => checks[name]()));
  const failed = outcomes.filter(({ result }) => !result.ok);
  if (failed.length === 0) {
    if (!quiet) {
      for (const { result } of outcomes)
        process.stdout.write(`${result.name} answers at ${result.address}\n`);
    }
    process.exit(0);
  }
  if (Date.now() >= deadline) {
    if (!quiet) {
      for (const outcome of failed)
        process.stderr.write(`${unreachableMessage(outcome.result, outcome)}\n`);
    }
    process.exit(1);
  }
  await sleep(500);
}
