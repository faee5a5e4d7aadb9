/**
 * Events benchmark (`npm run bench:events`): the built users, auth-codes, events and gateway apps run as child
 * processes against the local PostgreSQL and Redis, in a database and key prefix of this run
 * (removed at the end); the load generator runs in this process.
 *
 *   1. 100,000 events are seeded (85 % active, start dates from a month ago to three years ahead);
 *   2. GET /api/v1/events/upcoming and GET /api/v1/events/{id} (random seeded ids) through the
 *      gateway at concurrency 64 with autocannon: requests per second, p50, p99; and the same two
 *      routes on a bare Fastify server running the service's own statements
 *      (bench/events-bare-server.ts), whose answers must equal the gateway's byte for byte: the
 *      ratio gateway / bare is the figure to watch (absolute rates drift on a shared machine);
 *   3. 1,000 members (Telegram sign-in, 100 coins each from an admin adjustment) join one event
 *      (capacity 500, price 10) at once: time until every answer is in and every attempt settled,
 *      then the invariants: exactly `capacity` participants and seats, one net debit of the price
 *      per participant and none for anybody else, every balance 90 or 100, only 201 and 409
 *      EVENT_FULL answers. During the burst, the outbox lag: per event, from its `occurred_at` to
 *      its entry on the stream (the entry id is Redis's arrival time), p50/p99; and the age of the
 *      oldest unsent row of events.outbox, sampled every 20 ms;
 *   4. the waitlist: an event of 500 seats filled by 500 members, 1,000 more in its line, then the
 *      500 leave at once: time until every promotion settled (database polled every 10 ms), then
 *      the invariants: seats <= capacity, one debit per seated member and one refund per leaver
 *      (the attempts' keys), ledger sums equal balances, promotions in line order;
 *   5. the outbox relay with 2 events replicas (one more is started when --events-replicas is 1):
 *      20,000 rows committed into events.outbox at once, events per second from the first to the
 *      last entry on the streams, and from the commit until the table is empty.
 * Prints tables, the targets (issue 13: reads / bare >= 0.5, joins settled <= 1.2 s, promotions
 * settled <= 5 s, RSS of every app <= 150 MB; the relay's and the outbox lag's: met or NOT met)
 * and writes bench/results/events-*.json. `--profile` CPU-profiles the events and users services
 * (bench/results/profiles/) and prints where their time went.
 *
 *   npm run bench:events [-- --events 100000 --duration 10 --warmup 2 --connections 64
 *                           --joiners 1000 --capacity 500 --price 10 --events-replicas 1
 *                           --waitlist-seats 500 --waitlist 1000 --leavers 500
 *                           --relay-rows 20000 --relay-replicas 2 --lag-sample-ms 20
 *                           --skip-reads --skip-waitlist --skip-relay --log-level warn --profile]
 */
import 'reflect-metadata';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';
import { callOrFail, call, expectOk, Member, membersWithCoins, signIn, tally } from './events/http';
import {
  EventLag,
  eventLag,
  OutboxAgeSampler,
  RelayRun,
  relayThroughput,
  streamEvents,
  waitForConsumer,
} from './events/outbox';
import { WaitlistRun, waitlistBurst } from './events/waitlist';
import {
  argValue,
  BuiltPlatform,
  Cell,
  freePort,
  LatencySummary,
  newestProfile,
  printProfileSummary,
  printRuntime,
  printTable,
  printTargets,
  ProfileSummary,
  RESULTS_DIR,
  startBuiltPlatform,
  summarizeProfile,
  target,
  waitFor,
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
const waitlistSeats = Number(argValue('waitlist-seats', '500'));
const waitlistSize = Number(argValue('waitlist', '1000'));
const leavers = Number(argValue('leavers', String(waitlistSeats)));
const relayRows = Number(argValue('relay-rows', '20000'));
const relayReplicas = Number(argValue('relay-replicas', '2'));
const lagSampleMs = Number(argValue('lag-sample-ms', '20'));
const skipReads = process.argv.includes('--skip-reads');
const skipWaitlist = process.argv.includes('--skip-waitlist');
const skipRelay = process.argv.includes('--skip-relay');
const logLevel = argValue('log-level', 'warn');
const profile = process.argv.includes('--profile');
const PROFILED = ['events', 'users'];
const PROFILE_DIR = join(RESULTS_DIR, 'profiles', `events-${Date.now()}`);
const COINS = 100;

const BOT_TOKEN = `777000:bench-${randomBytes(4).toString('hex')}`;
const ADMIN_TELEGRAM_ID = 4_000_000_000 + randomInt(1_000_000);

let platform: BuiltPlatform | undefined;

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
  // A page sample of a few events (a smoke run) may hold none: then all of them.
  const { rows } = await db.query<{ id: string }>(
    eventCount >= 10_000
      ? 'SELECT id FROM events.events TABLESAMPLE SYSTEM (10) LIMIT 10000'
      : 'SELECT id FROM events.events LIMIT 10000',
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
  /** Per event, from `occurred_at` to the entry on the stream, for the burst's events. */
  outboxLag: EventLag;
  /** The oldest unsent row's age, sampled every `lagSampleMs` during the burst. */
  sampledOutboxAge: LatencySummary & { intervalMs: number };
}

async function joinStorm(
  gateway: string,
  db: Client,
  redis: Redis,
  admin: Member,
): Promise<JoinRun> {
  process.stdout.write(`Signing in ${joiners} members with ${COINS} coins each...\n`);
  const members = await membersWithCoins({
    gateway,
    botToken: BOT_TOKEN,
    admin,
    firstTelegramId: 6_000_000_000 + randomInt(1_000_000_000),
    count: joiners,
    coins: COINS,
  });
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
  const sampler = new OutboxAgeSampler(platformOrFail().databaseUrl, lagSampleMs);
  await sampler.start();
  const startedWall = Date.now();
  const started = process.hrtime.bigint();
  const answers = await Promise.all(
    members.map((m) =>
      callOrFail<{ code?: string }>('POST', `${gateway}/api/v1/events/${event.id}/join`, {
        token: m.token,
      }),
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
    await new Promise((r) => setTimeout(r, 10));
  }
  const settledMs = Number(process.hrtime.bigint() - started) / 1e6;
  // The burst's last events are on the bus once the outbox is empty.
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events.outbox');
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const sampledOutboxAge = await sampler.stop();
  const outboxLag = eventLag(
    (await streamEvents(redis, platformOrFail().redisPrefix, 'event.*', startedWall)).filter(
      (e) => e.occurredAtMs >= startedWall,
    ),
  );

  const statuses = tally(answers.map((a) => a.status));
  const codes = tally(answers.filter((a) => a.status !== 201).map((a) => a.json?.code ?? 'none'));
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
    outboxLag,
    sampledOutboxAge: { ...sampledOutboxAge, intervalMs: lagSampleMs },
    observed: {
      participants: joined.size,
      seats_taken: seats.seats_taken,
      charged_members: charged.length,
      ledger_rows: ledger.reduce((sum, r) => sum + r.rows, 0),
    },
  };
}

function platformOrFail(): BuiltPlatform {
  if (!platform) throw new Error('the platform is not running');
  return platform;
}

function printInvariants(title: string, invariants: Record<string, boolean>): void {
  printTable(
    title,
    Object.entries(invariants).map(([check, ok]) => ({ check, holds: ok ? 'yes' : 'NO' })),
  );
}

function lagRows(label: string, lag: EventLag): Array<Record<string, Cell>> {
  return [
    { measure: `${label}: events on the bus`, value: lag.count },
    { measure: `${label}: lag p50 (ms)`, value: lag.p50 },
    { measure: `${label}: lag p99 (ms)`, value: lag.p99 },
    { measure: `${label}: lag max (ms)`, value: lag.max },
  ];
}

interface Reads {
  measured: Measured[];
  /** gateway req/s ÷ bare req/s, per route. */
  upcomingRatio: number;
  byIdRatio: number;
}

/** One answer's body as text; fails on anything but 200. */
async function bodyOf(url: string): Promise<string> {
  const response = await fetch(url);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return text;
}

/**
 * The gateway and the bare server must answer the same bytes. An event starting between the two
 * reads changes the listing, so a difference is read again (three times) before it fails the run.
 */
async function expectSameBody(what: string, gatewayUrl: string, bareUrl: string): Promise<void> {
  let last = '';
  for (let round = 0; round < 3; round++) {
    const [gateway, bare] = await Promise.all([bodyOf(gatewayUrl), bodyOf(bareUrl)]);
    if (gateway === bare) {
      process.stdout.write(`${what}: the gateway and the bare server answer the same body\n`);
      return;
    }
    last = `gateway: ${gateway.slice(0, 600)}\nbare:    ${bare.slice(0, 600)}`;
  }
  throw new Error(`${what}: the bare server's body differs from the gateway's\n${last}`);
}

async function reads(gateway: string, bare: string, db: Client, admin: Member): Promise<Reads> {
  const ids = await seedEvents(db, admin.id);
  const upcoming = '/api/v1/events/upcoming';
  await expectSameBody('upcoming', `${gateway}${upcoming}`, `${bare}${upcoming}`);
  await expectSameBody(
    'event by id',
    `${gateway}/api/v1/events/${ids[0]}`,
    `${bare}/api/v1/events/${ids[0]}`,
  );
  const byId = (base: string, scenario: string) => {
    let turn = 0;
    return measure(scenario, {
      url: `${base}/api/v1/events/${ids[0]}`,
      setupRequest: (request) => ({
        ...request,
        path: `/api/v1/events/${ids[turn++ % ids.length]}`,
      }),
    });
  };
  // Side by side: each gateway run right before its bare twin.
  const measured = [
    await measure('gateway GET /api/v1/events/upcoming', { url: `${gateway}${upcoming}` }),
    await measure('bare GET /api/v1/events/upcoming', { url: `${bare}${upcoming}` }),
    await byId(gateway, 'gateway GET /api/v1/events/{id}'),
    await byId(bare, 'bare GET /api/v1/events/{id}'),
  ];
  const [gatewayUpcoming, bareUpcoming, gatewayById, bareById] = measured;
  const result: Reads = {
    measured,
    upcomingRatio: gatewayUpcoming.requestsPerSecond / bareUpcoming.requestsPerSecond,
    byIdRatio: gatewayById.requestsPerSecond / bareById.requestsPerSecond,
  };
  printTable(
    `Reads over ${eventCount} events, ${connections} connections, ${durationSeconds} s each`,
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
  printTable('Gateway ÷ bare (req/s)', [
    { route: 'GET /api/v1/events/upcoming', ratio: result.upcomingRatio },
    { route: 'GET /api/v1/events/{id}', ratio: result.byIdRatio },
  ]);
  return result;
}

/** Starts events replicas until `relayReplicas` run, each reading the bus (its relay runs). */
async function ensureRelayReplicas(running: BuiltPlatform, redis: Redis): Promise<void> {
  for (let n = eventsReplicas; n < relayReplicas; n++) {
    const consumer = running.startReplica('events');
    process.stdout.write(`Started one more events replica (${consumer}) for the relay...\n`);
    await waitForConsumer(redis, running.redisPrefix, 'events', consumer);
  }
}

/** The gateway's /ready also checks the bot, which this benchmark does not run. */
function readyForBench(_status: number, body: string): boolean {
  try {
    const { checks } = JSON.parse(body) as { checks?: Record<string, { status: string }> };
    return ['redis', 'users', 'auth-codes', 'events'].every(
      (name) => checks?.[name]?.status === 'up',
    );
  } catch {
    return false;
  }
}

/** When the platform was started, and when the measured load began (the profiles' window). */
const clock = { startedAt: Date.now(), loadAt: Date.now() };

/**
 * Where the profiled services' time went under the load (their profiles are written when they
 * exit; the start-up before the load is left out).
 */
function profileSummaries(): Record<string, ProfileSummary> {
  const summaries: Record<string, ProfileSummary> = {};
  for (const app of PROFILED) {
    const file = newestProfile(join(PROFILE_DIR, app));
    if (!file) {
      process.stderr.write(`no CPU profile of ${app} in ${join(PROFILE_DIR, app)}\n`);
      continue;
    }
    summaries[app] = summarizeProfile(file, 12, clock.loadAt - clock.startedAt);
    printProfileSummary(`CPU profile of ${app}`, summaries[app]);
  }
  return summaries;
}

async function main(): Promise<void> {
  printRuntime();
  if (profile) for (const app of PROFILED) mkdirSync(join(PROFILE_DIR, app), { recursive: true });
  clock.startedAt = Date.now();
  // Readiness (and Telegram sign-in, which starts a refresh-token family) needs auth-codes too.
  platform = await startBuiltPlatform({
    name: 'events',
    services: ['users', 'auth-codes', 'events'],
    replicas: { events: eventsReplicas },
    env: {
      // Production refuses the bench's made-up bot token and wants bus keys and SMTP; development
      // takes its well-known defaults for those and changes nothing on the measured paths.
      NODE_ENV: 'development',
      LOG_LEVEL: logLevel,
      // Every process on a port of its own (other benchmarks may run beside this one).
      OPS_PORT: '0',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      ADMIN_TELEGRAM_IDS: String(ADMIN_TELEGRAM_ID),
      // The set-up signs thousands of members in from one IP and grants each of them coins.
      RATE_LIMIT_TELEGRAM_PER_MINUTE: '100000000',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000000',
      RATE_LIMIT_ADMIN_WRITES_PER_MINUTE: '100000000',
    },
    serviceNodeArgs: profile
      ? Object.fromEntries(
          PROFILED.map((app) => [app, ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, app)}`]]),
        )
      : undefined,
    ready: readyForBench,
  });
  const running = platform;
  const gateway = running.gatewayUrl;
  const bare = `http://127.0.0.1:${await freePort()}`;
  running.spawn(
    'bare fastify',
    join(process.cwd(), 'dist', 'bench', 'bench', 'events-bare-server.js'),
    ['--port', new URL(bare).port, '--database-url', running.databaseUrl],
  );
  await waitFor(`${bare}/api/v1/events/upcoming`, 30_000);

  const db = new Client({ connectionString: running.databaseUrl });
  await db.connect();
  const redis = new Redis(running.env.REDIS_URL);
  try {
    const admin = await signIn(gateway, BOT_TOKEN, ADMIN_TELEGRAM_ID);
    clock.loadAt = Date.now();
    const measured = skipReads ? undefined : await reads(gateway, bare, db, admin);

    const joins = await joinStorm(gateway, db, redis, admin);
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
        ...lagRows('outbox', joins.outboxLag),
        {
          measure: `oldest unsent row, sampled every ${lagSampleMs} ms: p99 (ms)`,
          value: joins.sampledOutboxAge.p99,
        },
        {
          measure: `oldest unsent row, sampled every ${lagSampleMs} ms: max (ms)`,
          value: joins.sampledOutboxAge.max,
        },
      ],
    );
    printInvariants('Invariants of the joins', joins.invariants);

    let waitlist: WaitlistRun | undefined;
    if (!skipWaitlist) {
      waitlist = await waitlistBurst({
        gateway,
        db,
        redis,
        redisPrefix: running.redisPrefix,
        botToken: BOT_TOKEN,
        admin,
        firstTelegramId: 7_000_000_000 + randomInt(1_000_000_000),
        seats: waitlistSeats,
        waitlist: waitlistSize,
        leavers,
        price,
        coins: COINS,
      });
      printTable(
        `${waitlist.leavers} leaves at once from an event of ${waitlist.seats} seats with ${waitlist.waitlist} waiting`,
        [
          { measure: 'all leaves answered (ms)', value: Math.round(waitlist.leavesAnsweredMs) },
          {
            measure: 'every promotion settled (ms)',
            value: Math.round(waitlist.promotionsSettledMs),
          },
          { measure: 'every refund done (ms)', value: Math.round(waitlist.refundsDoneMs) },
          ...Object.entries(waitlist.leaveStatuses).map(([status, n]) => ({
            measure: `HTTP ${status}`,
            value: n,
          })),
          ...Object.entries(waitlist.waitlistStatuses).map(([status, n]) => ({
            measure: `waitlist ${status}`,
            value: n,
          })),
          ...Object.entries(waitlist.observed).map(([what, n]) => ({ measure: what, value: n })),
          ...lagRows('outbox', waitlist.outboxLag),
        ],
      );
      printInvariants('Invariants of the waitlist', waitlist.invariants);
    }

    let relay: RelayRun | undefined;
    if (!skipRelay) {
      await ensureRelayReplicas(running, redis);
      const replicas = Math.max(eventsReplicas, relayReplicas);
      process.stdout.write(
        `Relay: ${relayRows} outbox rows committed at once, ${replicas} events replicas relaying...\n`,
      );
      relay = await relayThroughput({
        db,
        redis,
        prefix: running.redisPrefix,
        rows: relayRows,
        replicas,
      });
      printTable(`Outbox relay, ${relay.rows} rows, ${relay.replicas} replicas`, [
        { measure: 'insert (ms)', value: relay.insertMs },
        { measure: 'first row gone after the commit (ms)', value: relay.firstMovedAfterMs },
        { measure: 'table empty after the commit (ms)', value: relay.drainMs },
        {
          measure: 'events/s, first to last entry on the streams',
          value: Math.round(relay.eventsPerSecond),
        },
        {
          measure: 'events/s, commit to empty table',
          value: Math.round(relay.drainEventsPerSecond),
        },
        { measure: 'entries on the streams', value: relay.entries },
        { measure: 'distinct event ids', value: relay.distinctEvents },
        { measure: 'rows left (timeout)', value: relay.left },
      ]);
    }
    const relayInvariants: Record<string, boolean> = relay
      ? {
          'every row relayed': relay.left === 0,
          'every event on the bus, none twice':
            relay.entries === relay.rows && relay.distinctEvents === relay.rows,
        }
      : {};
    if (relay) printInvariants('Invariants of the relay', relayInvariants);

    const rss = running.rss();
    printTable(
      'Resident set size after the load (MB)',
      Object.entries(rss).map(([app, mb]) => ({ process: app, 'RSS MB': Math.round(mb) })),
    );
    const joinsIntact = Object.values(joins.invariants).every((ok) => ok);
    const targets = [
      target('upcoming (100k rows) ÷ bare', measured?.upcomingRatio, '>=', 0.5),
      target('event by id ÷ bare', measured?.byIdRatio, '>=', 0.5),
      target(
        `${joiners} concurrent joins, capacity ${capacity}: time to settle (invariants intact)`,
        joinsIntact ? joins.settledMs : undefined,
        '<=',
        1200,
        'ms',
      ),
      target(
        `every waitlist promotion settled within 5 s of ${leavers} leaves (${waitlistSize} waiting, ${waitlistSeats} seats)`,
        waitlist?.promotionsSettledMs,
        '<=',
        5000,
        'ms',
      ),
      ...Object.entries(rss)
        .filter(([app]) => app !== 'bare fastify')
        .map(([app, mb]) => target(`RSS ${app} after load`, mb, '<=', 150, 'MB')),
      target(
        `the relay moves >= 2,000 events/s (${Math.max(eventsReplicas, relayReplicas)} replicas)`,
        relay?.eventsPerSecond,
        '>=',
        2000,
        'events/s',
      ),
      target(
        `outbox lag p99 during the ${joiners}-join burst`,
        joins.outboxLag.p99,
        '<=',
        500,
        'ms',
      ),
    ];
    printTargets('Targets (issue 13, and the earlier ones this bench carries)', targets);

    const path = writeResults('events', {
      events: eventCount,
      connections,
      durationSeconds,
      warmupSeconds,
      eventsReplicas,
      relayReplicas,
      logLevel,
      reads: measured ?? null,
      rss,
      joins,
      waitlist: waitlist ?? null,
      relay: relay ? { ...relay, invariants: relayInvariants } : null,
      targets,
    });
    process.stdout.write(`Results written to ${path}\n`);
    const invariants = [joins.invariants, waitlist?.invariants ?? {}, relayInvariants];
    if (invariants.some((checks) => Object.values(checks).some((ok) => !ok))) {
      process.exitCode = 1;
    }
  } finally {
    redis.disconnect();
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
  .finally(async () => {
    try {
      await platform?.stop();
    } catch (error) {
      process.exitCode = 1;
      process.stderr.write(`bench:events cleanup failed: ${String(error)}\n`);
    }
    // A profile is written when its process exits, so only now.
    if (profile) {
      const path = writeResults('events-profile', profileSummaries());
      process.stdout.write(`Profile summaries written to ${path}\n`);
    }
  });
