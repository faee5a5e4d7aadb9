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
import { randomBytes, randomInt } from 'node:crypto';
import autocannon from 'autocannon';
import { Client } from 'pg';
import {
  argValue,
  BuiltPlatform,
  Cell,
  pool,
  printTable,
  startBuiltPlatform,
  telegramWidgetData,
  writeResults,
} from './lib';

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

const BOT_TOKEN = `777000:bench-${randomBytes(4).toString('hex')}`;
const ADMIN_TELEGRAM_ID = 4_000_000_000 + randomInt(1_000_000);

let platform: BuiltPlatform | undefined;

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

async function signIn(gateway: string, telegramId: number): Promise<{ id: string; token: string }> {
  const signedIn = await expectOk<{ access_token: string; user: { id: string } }>(
    'sign-in',
    call('POST', `${gateway}/api/auth/telegram`, {
      body: telegramWidgetData(BOT_TOKEN, telegramId),
    }),
  );
  return { id: signedIn.user.id, token: signedIn.access_token };
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

async function main(): Promise<void> {
  // Readiness (and Telegram sign-in, which starts a refresh-token family) needs auth-codes too.
  platform = await startBuiltPlatform({
    name: 'events',
    services: ['users', 'auth-codes', 'events'],
    replicas: { events: eventsReplicas },
    env: {
      LOG_LEVEL: logLevel,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      ADMIN_TELEGRAM_IDS: String(ADMIN_TELEGRAM_ID),
    },
  });
  const gateway = platform.gatewayUrl;

  const db = new Client({ connectionString: platform.databaseUrl });
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
    platform?.stop().catch((error: unknown) => {
      process.exitCode = 1;
      process.stderr.write(`bench:events cleanup failed: ${String(error)}\n`);
    }),
  );
