/**
 * API benchmark (`npm run bench:api`): the gateway's hot paths at concurrency 64, with autocannon.
 *
 *   - GET /api/users/me, 200 path: JWT check, a bus request to the users service, a PostgreSQL read;
 *   - GET /api/users/me, 304 path: JWT check and one Redis GET (If-None-Match matches);
 *   - POST /api/auth/callback: a fresh one-time code per request (redeem in Redis, record the
 *     login and start a refresh-token family in PostgreSQL, sign a JWT);
 *   - GET /health through the gateway, beside a bare Fastify server answering the same JSON.
 *
 * The built apps (users, auth-codes, gateway) and the bare server run as child processes, each
 * with its own event loop, against the local PostgreSQL and Redis, in a database and key prefix
 * of this run (removed at the end). The load generator runs in this process. Prints a table and
 * writes bench/results/api-*.json.
 *
 *   npm run bench:api [-- --duration 10 --connections 64 --codes 20000 --log-level warn]
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';
import { argValue, Cell, printTable, writeResults } from './lib';

const durationSeconds = Number(argValue('duration', '10'));
const warmupSeconds = Number(argValue('warmup', '2'));
const connections = Number(argValue('connections', '64'));
const codePool = Number(argValue('codes', '20000'));
const memberCount = Number(argValue('members', '128'));
// Request logs cost the gateway (and not the bare server) a line per request; warn keeps them off.
const logLevel = argValue('log-level', 'warn');
// `--only 304,health` measures the scenarios whose names contain one of these words.
const only = argValue('only', '')
  .split(',')
  .map((word) => word.trim())
  .filter((word) => word.length > 0);
// `--profile` writes a V8 CPU profile of the gateway to bench/results/profiles/.
const profileGateway = process.argv.includes('--profile');

const ROOT = resolve(process.cwd());
const DIST = join(ROOT, 'dist');
const runId = randomBytes(4).toString('hex');
const BOT_TOKEN = `777000:bench-${runId}`;
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/up_club';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const adminUrl = (() => {
  const url = new URL(POSTGRES_URL);
  url.pathname = '/postgres';
  return url.toString();
})();
const databaseUrl = (() => {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/up_bench_api_${runId}`;
  return url.toString();
})();
const redisPrefix = `bench_api_${runId}`;

interface Scenario {
  name: string;
  url: string;
  expectedStatus: number;
  method?: 'GET' | 'POST';
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  headers?: Record<string, string>;
}

interface Measured {
  scenario: string;
  requestsPerSecond: number;
  expectedPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  unexpected: number;
  errors: number;
  statusCodes: Record<string, number>;
}

const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function startChild(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`${name} exited early (code ${code}, signal ${signal})\n`);
  });
  children.push(child);
  return child;
}

let stopping = false;

/** Stops the apps in the reverse order of their start: the gateway before the services it calls. */
async function stopChildren(): Promise<void> {
  stopping = true;
  for (const child of [...children].reverse()) {
    await new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGTERM');
    });
  }
}

/** Polls `url` until `ready(response)` holds. */
async function waitFor(
  url: string,
  timeoutMs: number,
  ready: (status: number, body: string) => boolean = (status) => status === 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      const body = await response.text();
      if (ready(response.status, body)) return;
      last = `${response.status} ${body}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

/** The gateway's /ready also checks the events service, which this benchmark does not run. */
function readyForBench(_status: number, body: string): boolean {
  try {
    const { checks } = JSON.parse(body) as { checks?: Record<string, { status: string }> };
    return ['redis', 'users', 'auth-codes'].every((name) => checks?.[name]?.status === 'up');
  } catch {
    return false;
  }
}

/** Login Widget data signed as Telegram signs it (the gateway gets the same bot token). */
function widgetData(id: number): Record<string, string | number> {
  const fields: Record<string, string | number> = {
    id,
    first_name: `Bench${id}`,
    auth_date: Math.floor(Date.now() / 1000),
  };
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('\n');
  const secret = createHash('sha256').update(BOT_TOKEN).digest();
  return { ...fields, hash: createHmac('sha256', secret).update(dataCheckString).digest('hex') };
}

async function post<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}

function cannon(scenario: Scenario, seconds: number): Promise<autocannon.Result> {
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: scenario.url,
        connections,
        duration: seconds,
        method: scenario.method ?? 'GET',
        headers: scenario.headers,
        requests: scenario.setupRequest ? [{ setupRequest: scenario.setupRequest }] : undefined,
      },
      (error, result) => (error ? fail(error) : done(result)),
    );
    autocannon.track(instance, {
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
  });
}

async function measure(scenario: Scenario, options: { warmup?: boolean } = {}): Promise<Measured> {
  if (options.warmup !== false && warmupSeconds > 0) await cannon(scenario, warmupSeconds);
  const result = await cannon(scenario, durationSeconds);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
  );
  const total = Object.values(statusCodes).reduce((sum, n) => sum + n, 0);
  const expected = statusCodes[String(scenario.expectedStatus)] ?? 0;
  return {
    scenario: scenario.name,
    requestsPerSecond: result.requests.average,
    expectedPerSecond: expected / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total,
    unexpected: total - expected,
    errors: result.errors,
    statusCodes,
  };
}

async function cleanup(): Promise<void> {
  await stopChildren();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "up_bench_api_${runId}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const [gatewayPort, barePort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: logLevel,
    LOG_PRETTY: 'false',
    DATABASE_URL: databaseUrl,
    DATABASE_MIGRATE_ON_START: 'true',
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    // The code exchange is measured at full speed: its 10-per-minute-per-IP limit is raised.
    RATE_LIMIT_CALLBACK_PER_MINUTE: '100000000',
    HOST: '127.0.0.1',
  };
  const appScript = (app: string) => join(DIST, 'apps', app, 'apps', app, 'src', 'main.js');
  process.stdout.write(`Starting users, auth-codes and the gateway (prefix ${redisPrefix})...\n`);
  for (const app of ['users', 'auth-codes']) {
    startChild(app, appScript(app), [], { ...env, BUS_CONSUMER_NAME: `${app}-bench` });
  }
  startChild(
    'gateway',
    appScript('gateway'),
    [],
    { ...env, PORT: String(gatewayPort), BUS_CONSUMER_NAME: 'gateway-bench' },
    profileGateway
      ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results', 'profiles')}`]
      : [],
  );
  startChild(
    'bare fastify',
    join(DIST, 'bench', 'bench', 'api-bare-server.js'),
    ['--port', String(barePort)],
    {},
  );
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  const bare = `http://127.0.0.1:${barePort}`;
  await waitFor(`${gateway}/ready`, 120_000, readyForBench);
  await waitFor(`${bare}/health`, 30_000);

  process.stdout.write(
    `Signing in ${memberCount} members and issuing ${codePool} login codes...\n`,
  );
  const baseTelegramId = 5_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
  const members = await pool(
    Array.from({ length: memberCount }, (_, i) => baseTelegramId + i),
    16,
    async (telegramId) => {
      const signedIn = await post<{ access_token: string }>(
        `${gateway}/api/auth/telegram`,
        widgetData(telegramId),
      );
      const me = await fetch(`${gateway}/api/users/me`, {
        headers: { authorization: `Bearer ${signedIn.access_token}` },
      });
      const etag = me.headers.get('etag');
      if (!me.ok || !etag) throw new Error(`GET /api/users/me: ${me.status}`);
      return { token: signedIn.access_token, etag };
    },
  );
  const codes = await pool(
    Array.from({ length: codePool }, (_, i) => members[i % members.length]),
    64,
    async (member) =>
      (
        await post<{ code: string }>(`${gateway}/api/auth/generate-code`, undefined, {
          authorization: `Bearer ${member.token}`,
        })
      ).code,
  );

  let meTurn = 0;
  let codeTurn = 0;
  const scenarios: Scenario[] = [
    { name: 'GET /health (bare Fastify)', url: `${bare}/health`, expectedStatus: 200 },
    { name: 'GET /health (gateway)', url: `${gateway}/health`, expectedStatus: 200 },
    {
      name: 'GET /api/users/me (200)',
      url: `${gateway}/api/users/me`,
      expectedStatus: 200,
      setupRequest: (request) => {
        const member = members[meTurn++ % members.length];
        return {
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${member.token}` },
        };
      },
    },
    {
      name: 'GET /api/users/me (304)',
      url: `${gateway}/api/users/me`,
      expectedStatus: 304,
      setupRequest: (request) => {
        const member = members[meTurn++ % members.length];
        return {
          ...request,
          headers: {
            ...request.headers,
            authorization: `Bearer ${member.token}`,
            'if-none-match': member.etag,
          },
        };
      },
    },
    {
      name: 'POST /api/auth/callback',
      url: `${gateway}/api/auth/callback`,
      method: 'POST',
      expectedStatus: 200,
      // Every request a code never used before; once the pool is spent, answers are 401s (counted).
      setupRequest: (request) => ({
        ...request,
        method: 'POST',
        path: `/api/auth/callback?code=${codes[Math.min(codeTurn++, codes.length - 1)]}`,
      }),
    },
  ];

  const measured: Measured[] = [];
  const selected = scenarios.filter(
    (scenario) => only.length === 0 || only.some((word) => scenario.name.includes(word)),
  );
  for (const scenario of selected) {
    process.stdout.write(
      `Measuring ${scenario.name} for ${durationSeconds} s at ${connections} connections...\n`,
    );
    // The code exchange gets no warm-up: it would spend codes (the other paths are warmed).
    measured.push(await measure(scenario, { warmup: scenario.method !== 'POST' }));
  }

  // Requests autocannon left in flight finish before the apps are stopped.
  await new Promise((r) => setTimeout(r, 2000));

  // NaN when `--only` left a scenario out.
  const rate = (name: string) =>
    measured.find((m) => m.scenario === name)?.expectedPerSecond ?? Number.NaN;
  const ratios = {
    notModifiedOverOk: rate('GET /api/users/me (304)') / rate('GET /api/users/me (200)'),
    gatewayOverBareFastify: rate('GET /health (gateway)') / rate('GET /health (bare Fastify)'),
  };
  const rows: Array<Record<string, Cell>> = measured.map((m) => ({
    scenario: m.scenario,
    'req/s': Math.round(m.expectedPerSecond),
    'p50 ms': m.p50,
    'p99 ms': m.p99,
    requests: m.total,
    unexpected: m.unexpected,
    errors: m.errors,
  }));
  printTable(
    `API at ${connections} connections, ${durationSeconds} s each (req/s counts expected statuses only)`,
    rows,
  );
  printTable('Targets', [
    {
      check: '304 path / 200 path',
      value: ratios.notModifiedOverOk,
      target: '>= 2',
      met: ratios.notModifiedOverOk >= 2 ? 'yes' : 'NO',
    },
    {
      check: 'gateway /health / bare Fastify',
      value: ratios.gatewayOverBareFastify,
      target: '>= 0.7',
      met: ratios.gatewayOverBareFastify >= 0.7 ? 'yes' : 'NO',
    },
  ]);
  const path = writeResults('api', {
    connections,
    durationSeconds,
    warmupSeconds,
    members: memberCount,
    codes: codePool,
    logLevel,
    scenarios: measured,
    ratios,
  });
  process.stdout.write(`Results written to ${path}\n`);
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(
      `bench:api failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  })
  .finally(() =>
    cleanup().catch((error: unknown) => {
      process.exitCode = 1;
      process.stderr.write(`bench:api cleanup failed: ${String(error)}\n`);
    }),
  );
