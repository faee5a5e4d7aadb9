/**
 * Events benchmark (`npm run bench:events`): the built users, auth-codes, events and gateway apps run as child
 * processes against the local PostgreSQL and Redis, in a database and key prefix of this run
 * (removed at the end); the load generator runs in this process.
 *
 *   1. 100,000 events are seeded (85 % active, start dates from a month ago to three years ahead);
 *   2. GET /api/v1/events/upcoming and GET /api/v1/events/{id} (random seeded ids) through the
 *      gateway at concurrency 64 with autocannon: requests per second, p50, p99;
 *   3. 1,000 members (Telegram sign-in, 100 coins each from an admin adjustment) join one event
 *      (capacity 500, price 10) at once: time until every answer is in and every attempt settled,
 *      then the invariants: exactly `capacity` participants and seats, one net debit of the price
 *      per participant and none for anybody else, every balance 90 or 100, only 201 and 409
 *      EVENT_FULL answers.
 * Prints tables and writes bench/results/events-*.json.
 *
 *   npm run bench:events [-- --events 100000 --duration 10 --connections 64 --joiners 1000
 *                           --capacity 500 --events-replicas 1 --log-level warn]
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';
import { argValue, Cell, printTable, writeResults } from './lib';

const eventCount = Number(argValue('events', '100000'));
const durationSeconds = Number(argValue('duration', '10'));
const warmupSeconds = Number(argValue('warmup', '2'));
const connections = Number(argValue('connections', '64'));
const joiners = Number(argValue('joiners', '1000'));
const capacity = Number(argValue('capacity', '500'));
const price = Number(argValue('price', '10'));
const eventsReplicas = Number(argValue('events-replicas', '1'));
const logLevel = argValue('log-level', 'warn');
const COINS = 100;

const ROOT = resolve(process.cwd());
const DIST = join(ROOT, 'dist');
const runId = randomBytes(4).toString('hex');
const BOT_TOKEN = `777000:bench-${runId}`;
const ADMIN_TELEGRAM_ID = 4_000_000_000 + randomInt(1_000_000);
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseName = `up_bench_events_${runId}`;
const urlWithDatabase = (database: string) => {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
};
const databaseUrl = urlWithDatabase(databaseName);
const redisPrefix = `bench_events_${runId}`;

const children: ChildProcess[] = [];
let stopping = false;

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

function startChild(name: string, app: string, env: Record<string, string>): void {
  const script = join(DIST, 'apps', app, 'apps', app, 'src', 'main.js');
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`${name} exited early (code ${code}, signal ${signal})\n`);
  });
  children.push(child);
}

async function stopChildren(): Promise<void> {
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

async function call<T>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; json: T }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
}

async function expectOk<T>(what: string, answer: Promise<{ status: number; json: T }>): Promise<T> {
  const { status, json } = await answer;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(json)}`);
  return json;
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

async function signIn(gateway: string, telegramId: number): Promise<{ id: string; token: string }> {
  const signedIn = await expectOk<{ access_token: string; user: { id: string } }>(
    'sign-in',
    call('POST', `${gateway}/api/auth/telegram`, { body: widgetData(telegramId) }),
  );
  return { id: signedIn.user.id, token: signedIn.access_token };
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

interface Measured {
  scenario: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

function cannon(options: {
  url: string;
  seconds: number;
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
}): Promise<autocannon.Result> {
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: options.url,
        connections,
        duration: options.seconds,
        requests: options.setupRequest ? [{ setupRequest: options.setupRequest }] : undefined,
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

async function measure(
  scenario: string,
  options: { url: string; setupRequest?: (request: autocannon.Request) => autocannon.Request },
): Promise<Measured> {
  process.stdout.write(
    `Measuring ${scenario} for ${durationSeconds} s at ${connections} connections...\n`,
  );
  if (warmupSeconds > 0) await cannon({ ...options, seconds: warmupSeconds });
  const result = await cannon({ ...options, seconds: durationSeconds });
  return {
    scenario,
    requestsPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function seedEvents(db: Client, creatorId: string): Promise<string[]> {
  const started = Date.now();
  await db.query(
    `INSERT INTO events.events
       (title, description, start_date, location, price, capacity, is_active, creator_id, timezone)
     SELECT 'Bench event ' || i, 'Seeded by bench:events',
            now() - interval '30 days' + (i * (interval '1125 days' / $1::int)),
            'Moscow', (i % 5) * 10, CASE WHEN i % 3 = 0 THEN 50 END, i % 7 <> 0,
            $2, 'Europe/Moscow'
       FROM generate_series(1, $1::int) AS i`,
    [eventCount, creatorId],
  );
  await db.query('VACUUM ANALYZE events.events');
  process.stdout.write(
    `Seeded ${eventCount} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM events.events TABLESAMPLE SYSTEM (10) LIMIT 10000',
  );
  return rows.map((r) => r.id);
}

interface JoinRun {
  joiners: number;
  capacity: number;
  price: number;
  answeredMs: number;
  settledMs: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  invariants: Record<string, boolean>;
  observed: Record<string, number>;
}

async function joinStorm(gateway: string, db: Client, admin: { token: string }): Promise<JoinRun> {
  process.stdout.write(`Signing in ${joiners} members with ${COINS} coins each...\n`);
  const base = 6_000_000_000 + randomInt(1_000_000_000);
  const members = await pool(
    Array.from({ length: joiners }, (_, i) => base + i),
    16,
    async (telegramId) => {
      const member = await signIn(gateway, telegramId);
      await expectOk(
        'grant coins',
        call('PATCH', `${gateway}/api/admin/users/${member.id}`, {
          token: admin.token,
          body: { coins_delta: COINS, reason: 'bench:events' },
        }),
      );
      return member;
    },
  );
  const event = await expectOk<{ id: string }>(
    'create event',
    call('POST', `${gateway}/api/v1/events`, {
      token: admin.token,
      body: {
        title: 'Bench: the popular one',
        start_date: new Date(Date.now() + 86_400_000).toISOString(),
        capacity,
        price,
      },
    }),
  );

  process.stdout.write(`${joiners} joins at once on an event of ${capacity} seats...\n`);
  const started = process.hrtime.bigint();
  const answers = await Promise.all(
    members.map((m) =>
      call<{ code?: string }>('POST', `${gateway}/api/v1/events/${event.id}/join`, {
        token: m.token,
      }).catch((error: unknown) => ({ status: 0, json: { code: String(error) } })),
    ),
  );
  const answeredMs = Number(process.hrtime.bigint() - started) / 1e6;
  // Settled: no attempt left pending (a timed-out one would be finished by the recovery sweep).
  for (;;) {
    const { rows } = await db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM events.participants WHERE event_id = $1 AND status = 'pending'`,
      [event.id],
    );
    if (rows[0].pending === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const settledMs = Number(process.hrtime.bigint() - started) / 1e6;

  const statuses: Record<string, number> = {};
  const codes: Record<string, number> = {};
  for (const answer of answers) {
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status !== 201) {
      const code = answer.json?.code ?? 'none';
      codes[code] = (codes[code] ?? 0) + 1;
    }
  }
  const accepted = new Set(members.filter((_, i) => answers[i].status === 201).map((m) => m.id));
  const ids = members.map((m) => m.id);
  const [seats] = (
    await db.query<{ seats_taken: number }>('SELECT seats_taken FROM events.events WHERE id = $1', [
      event.id,
    ])
  ).rows;
  const { rows: joinedRows } = await db.query<{ member_id: string }>(
    `SELECT member_id FROM events.participants WHERE event_id = $1 AND status = 'joined'`,
    [event.id],
  );
  const { rows: ledger } = await db.query<{ member_id: string; net: number; rows: number }>(
    `SELECT member_id, sum(amount)::int AS net, count(*)::int AS rows FROM users.coin_transactions
      WHERE idempotency_key LIKE 'join:' || $1 || ':%' OR idempotency_key LIKE 'join-refund:' || $1 || ':%'
      GROUP BY member_id`,
    [event.id],
  );
  const { rows: balances } = await db.query<{ id: string; up_coins: number }>(
    'SELECT id, up_coins FROM users.members WHERE id = ANY($1::uuid[])',
    [ids],
  );
  const joined = new Set(joinedRows.map((r) => r.member_id));
  const charged = ledger.filter((r) => r.net !== 0);
  const expectedSeats = Math.min(capacity, joiners);
  const invariants = {
    'participants = min(capacity, joiners)': joined.size === expectedSeats,
    'seats_taken = participants': seats.seats_taken === joined.size,
    'every 201 is a participant and vice versa':
      accepted.size === joined.size && [...accepted].every((id) => joined.has(id)),
    'one net debit of the price per participant, none for others':
      charged.length === joined.size &&
      charged.every((r) => r.net === -price && joined.has(r.member_id)),
    'balances: participants 100 - price, everybody else 100': balances.every(
      (b) => b.up_coins === (joined.has(b.id) ? COINS - price : COINS),
    ),
    'only 201 and 409 EVENT_FULL answers':
      (statuses['201'] ?? 0) + (codes.EVENT_FULL ?? 0) === joiners,
  };
  return {
    joiners,
    capacity,
    price,
    answeredMs,
    settledMs,
    statuses,
    codes,
    invariants,
    observed: {
      participants: joined.size,
      seats_taken: seats.seats_taken,
      charged_members: charged.length,
      ledger_rows: ledger.reduce((sum, r) => sum + r.rows, 0),
    },
  };
}

async function cleanup(): Promise<void> {
  await stopChildren();
  const admin = new Client({ connectionString: urlWithDatabase('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
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
  const gatewayPort = await freePort();
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
    ADMIN_TELEGRAM_IDS: String(ADMIN_TELEGRAM_ID),
    HOST: '127.0.0.1',
  };
  process.stdout.write(
    `Starting users, auth-codes, events (x${eventsReplicas}) and the gateway (prefix ${redisPrefix})...\n`,
  );
  // Readiness (and Telegram sign-in, which starts a refresh-token family) needs auth-codes too.
  for (const app of ['users', 'auth-codes']) {
    startChild(app, app, { ...env, BUS_CONSUMER_NAME: `${app}-bench` });
  }
  for (let i = 0; i < eventsReplicas; i++) {
    startChild(`events-${i}`, 'events', { ...env, BUS_CONSUMER_NAME: `events-bench-${i}` });
  }
  startChild('gateway', 'gateway', {
    ...env,
    PORT: String(gatewayPort),
    BUS_CONSUMER_NAME: 'gateway-bench',
  });
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  await waitFor(`${gateway}/ready`, 120_000);

  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const admin = await signIn(gateway, ADMIN_TELEGRAM_ID);
    const ids = await seedEvents(db, admin.id);

    let turn = 0;
    const measured = [
      await measure('GET /api/v1/events/upcoming', { url: `${gateway}/api/v1/events/upcoming` }),
      await measure('GET /api/v1/events/{id}', {
        url: `${gateway}/api/v1/events/${ids[0]}`,
        setupRequest: (request) => ({
          ...request,
          path: `/api/v1/events/${ids[turn++ % ids.length]}`,
        }),
      }),
    ];
    printTable(
      `Reads through the gateway over ${eventCount} events, ${connections} connections, ${durationSeconds} s each`,
      measured.map((m): Record<string, Cell> => ({
        scenario: m.scenario,
        'req/s (2xx)': Math.round(m.requestsPerSecond),
        'p50 ms': m.p50,
        'p99 ms': m.p99,
        requests: m.total,
        non2xx: m.non2xx,
        errors: m.errors,
      })),
    );

    const joins = await joinStorm(gateway, db, admin);
    printTable(
      `${joins.joiners} concurrent joins, capacity ${joins.capacity}, price ${joins.price}`,
      [
        { measure: 'all answers in (ms)', value: Math.round(joins.answeredMs) },
        { measure: 'all attempts settled (ms)', value: Math.round(joins.settledMs) },
        ...Object.entries(joins.statuses).map(([status, n]) => ({
          measure: `HTTP ${status}`,
          value: n,
        })),
        ...Object.entries(joins.codes).map(([code, n]) => ({ measure: `code ${code}`, value: n })),
        ...Object.entries(joins.observed).map(([what, n]) => ({ measure: what, value: n })),
      ],
    );
    printTable(
      'Invariants',
      Object.entries(joins.invariants).map(([check, ok]) => ({ check, holds: ok ? 'yes' : 'NO' })),
    );
    const path = writeResults('events', {
      events: eventCount,
      connections,
      durationSeconds,
      warmupSeconds,
      eventsReplicas,
      logLevel,
      reads: measured,
      joins,
    });
    process.stdout.write(`Results written to ${path}\n`);
    if (Object.values(joins.invariants).some((ok) => !ok)) process.exitCode = 1;
  } finally {
    await db.end();
  }
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(
      `bench:events failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  })
  .finally(() =>
    cleanup().catch((error: unknown) => {
      process.exitCode = 1;
      process.stderr.write(`bench:events cleanup failed: ${String(error)}\n`);
    }),
  );
