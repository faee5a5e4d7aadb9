/**
 * API benchmark (`npm run bench:api`): the gateway's hot paths at concurrency 64, with autocannon,
 * each beside a bare Fastify server doing the same work directly (bench/api-bare-server.ts):
 *
 *   - GET /api/users/me, 200 path: JWT check, a bus request to the users service, a PostgreSQL read;
 *   - GET /api/users/me, 304 path: JWT check and one Redis GET (If-None-Match matches);
 *   - POST /api/auth/callback: a fresh one-time code per request (redeem in Redis, record the
 *     login and start a refresh-token family in PostgreSQL, sign a JWT); each side spends its own
 *     codes, issued the same way (the gateway's generate-code);
 *   - GET /health through the gateway, beside the bare server answering the same JSON.
 *
 * The built apps (users, auth-codes, gateway) and the bare server run as child processes, each
 * with its own event loop, against the local PostgreSQL and Redis, in a database and key prefix
 * of this run (removed at the end). The load generator runs in this process. Before measuring,
 * one answer of each side is compared (the /me body byte for byte and its ETag, the 304, the
 * callback's shape); the run fails when they differ. Gateway and bare take turns scenario by
 * scenario (`--rounds`, default 1). Prints req/s, the ratios gateway ÷ bare and /me 304 ÷ 200,
 * each app's RSS after the load and the targets table, and writes bench/results/api-*.json.
 *
 *   npm run bench:api [-- --duration 10 --rounds 1 --connections 64 --codes 6000 --log-level warn]
 *
 * `--profile` writes a V8 CPU profile of the gateway (`--profile-apps gateway,users,auth-codes`
 * for more apps) to bench/results/profiles/<app>/ and prints its summary at the end.
 *
 * With `--tracing`: the cost of tracing instead. Two platforms run side by side, one without
 * OTEL_EXPORTER_OTLP_ENDPOINT (tracing off) and one exporting every span to a local OTLP
 * collector stub (an HTTP server in this process that takes POST /v1/traces and drops it);
 * GET /health and GET /api/users/me (200) are measured on each, alternating off and on for
 * `--rounds` rounds (default 2) so that a busy machine's drift hits both alike. Prints req/s
 * and the on/off ratio (target: tracing on keeps at least 90% of the throughput) and writes
 * bench/results/api-tracing-*.json.
 *
 * `--sample 0.1` runs the traced platform with OTEL_TRACES_SAMPLER=parentbased_traceidratio at
 * that ratio (default 1: every trace recorded and exported, the worst case).
 *
 *   npm run bench:api -- --tracing [--rounds 2 --duration 10 --sample 1]
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
// The `--tracing` mode's report and profile helpers.
import * as benchLib from './lib';
import {
  argValue,
  BuiltPlatform,
  freePort,
  newestProfile,
  pool,
  printProfileSummary,
  printRuntime,
  printTable,
  printTargets,
  startBuiltPlatform,
  summarizeProfile,
  target,
  telegramWidgetData,
  waitFor,
  writeResults,
} from './lib';

const durationSeconds = Number(argValue('duration', '10'));
const warmupSeconds = Number(argValue('warmup', '2'));
const connections = Number(argValue('connections', '64'));
// Code exchanges per side and round.
const codePool = Number(argValue('codes', '6000'));
const memberCount = Number(argValue('members', '128'));
// Request logs cost the gateway (and not the bare server) a line per request; warn keeps them off.
const logLevel = argValue('log-level', 'warn');
// `--only 304,health` measures the scenarios whose names contain one of these words.
const only = argValue('only', '')
  .split(',')
  .map((word) => word.trim())
  .filter((word) => word.length > 0);
// `--profile` writes V8 CPU profiles (see `--profile-apps`) to bench/results/profiles/<app>/.
const profileGateway = process.argv.includes('--profile');

const ROOT = resolve(process.cwd());
const DIST = join(ROOT, 'dist');
const BOT_TOKEN = `777000:bench-${randomBytes(4).toString('hex')}`;

interface Scenario {
  name: string;
  url: string;
  expectedStatus: number;
  method?: 'GET' | 'POST';
  setupRequest?: (request: autocannon.Request) => autocannon.Request;
  headers?: Record<string, string>;
  /** This many requests instead of a duration (the code exchange: one request per code). */
  amount?: number;
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

let platform: BuiltPlatform | undefined;

/** The gateway's /ready also checks services this benchmark does not run: only `names` count. */
function readyChecks(body: string, names: string[]): boolean {
  try {
    const { checks } = JSON.parse(body) as { checks?: Record<string, { status: string }> };
    return names.every((name) => checks?.[name]?.status === 'up');
  } catch {
    return false;
  }
}

function readyForBench(_status: number, body: string): boolean {
  return readyChecks(body, ['redis', 'users', 'auth-codes']);
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

function cannon(scenario: Scenario, seconds: number): Promise<autocannon.Result> {
  return new Promise((done, fail) => {
    const instance = autocannon(
      {
        url: scenario.url,
        connections,
        ...(scenario.amount === undefined ? { duration: seconds } : { amount: scenario.amount }),
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

interface BenchMember {
  token: string;
  etag: string;
}

/** Signs in `count` Telegram members at the gateway: their tokens and profile ETags. */
function signInMembers(gateway: string, count = memberCount): Promise<BenchMember[]> {
  const baseTelegramId = 5_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
  return pool(
    Array.from({ length: count }, (_, i) => baseTelegramId + i),
    16,
    async (telegramId) => {
      const signedIn = await post<{ access_token: string }>(
        `${gateway}/api/auth/telegram`,
        telegramWidgetData(BOT_TOKEN, telegramId),
      );
      const me = await fetch(`${gateway}/api/users/me`, {
        headers: { authorization: `Bearer ${signedIn.access_token}` },
      });
      const etag = me.headers.get('etag');
      if (!me.ok || !etag) throw new Error(`GET /api/users/me: ${me.status}`);
      return { token: signedIn.access_token, etag };
    },
  );
}

const MAX_LIVE_CODES = 100;

const platformEnv = {
  // Production refuses the bench's made-up bot token and wants bus keys and SMTP; development
  // takes its well-known defaults for those and changes nothing on the measured paths.
  NODE_ENV: 'development',
  LOG_LEVEL: logLevel,
  TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  // The code exchange is measured at full speed: its 10-per-minute-per-IP limit is raised.
  RATE_LIMIT_CALLBACK_PER_MINUTE: '100000000',
  // The set-up signs every member in from one IP and issues thousands of codes.
  RATE_LIMIT_TELEGRAM_PER_MINUTE: '100000000',
  RATE_LIMIT_GENERATE_CODE_PER_MINUTE: '100000000',
  // The code pools are issued to a few members: each may hold this many live codes (the most).
  AUTH_CODE_MAX_LIVE_PER_MEMBER: String(MAX_LIVE_CODES),
  // Any free ops port: the apps of this run (and other runs on the machine) never collide on it.
  OPS_PORT: '0',
};

interface ScenarioPair {
  /** The row label: `GET /health`, `GET /api/users/me (200)`, ... */
  name: string;
  gateway: Scenario;
  bare: Scenario;
}

/** Code exchanges for one side: every request a code never used before. */
function callbackScenario(name: string, base: string, codes: string[]): Scenario {
  let turn = 0;
  return {
    name,
    // A round is `--codes` exchanges (however long they take), each with a code of its own.
    amount: codePool,
    url: `${base}/api/auth/callback`,
    method: 'POST',
    expectedStatus: 200,
    setupRequest: (request) => ({
      ...request,
      method: 'POST',
      path: `/api/auth/callback?code=${codes[Math.min(turn++, codes.length - 1)]}`,
    }),
  };
}

/** `/api/users/me` with each member's token in turn, and with `If-None-Match` for the 304 path. */
function meScenario(
  name: string,
  base: string,
  members: BenchMember[],
  notModified: boolean,
): Scenario {
  let turn = 0;
  return {
    name,
    url: `${base}/api/users/me`,
    expectedStatus: notModified ? 304 : 200,
    setupRequest: (request) => {
      const member = members[turn++ % members.length];
      return {
        ...request,
        headers: {
          ...request.headers,
          authorization: `Bearer ${member.token}`,
          ...(notModified ? { 'if-none-match': member.etag } : {}),
        },
      };
    },
  };
}

/** The keys of a JSON value, recursively, with the type of each leaf: what "same shape" means. */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, shapeOf(v)]),
    );
  }
  return typeof value;
}

/** The claims of a JWT without its time-dependent values, to compare how two sides sign. */
function claimsShape(token: string): unknown {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as object);
  return { header, payload: shapeOf(payload) };
}

function sameOrFail(what: string, gateway: unknown, bare: unknown): void {
  const [a, b] = [JSON.stringify(gateway), JSON.stringify(bare)];
  if (a !== b) throw new Error(`${what} differs:\n  gateway: ${a}\n  bare:    ${b}`);
}

/**
 * The bare server answers as the gateway does: the same /me body (byte for byte) and ETag, the
 * same 304, and a code exchange of the same shape (same keys, same claims in the access token).
 */
async function compareAnswers(args: {
  gateway: string;
  bare: string;
  member: BenchMember;
  gatewayCode: string;
  bareCode: string;
}): Promise<void> {
  const me = async (base: string, etag?: string) => {
    const response = await fetch(`${base}/api/users/me`, {
      headers: {
        authorization: `Bearer ${args.member.token}`,
        ...(etag ? { 'if-none-match': etag } : {}),
      },
    });
    return {
      status: response.status,
      etag: response.headers.get('etag'),
      cacheControl: response.headers.get('cache-control'),
      body: await response.text(),
    };
  };
  const [gatewayMe, bareMe] = [await me(args.gateway), await me(args.bare)];
  sameOrFail('GET /api/users/me (200)', gatewayMe, bareMe);
  sameOrFail(
    'GET /api/users/me (304)',
    await me(args.gateway, args.member.etag),
    await me(args.bare, args.member.etag),
  );
  if (gatewayMe.status !== 200 || gatewayMe.etag !== args.member.etag) {
    throw new Error(`GET /api/users/me: ${gatewayMe.status}, ETag ${gatewayMe.etag}`);
  }
  const callback = async (base: string, code: string) => {
    const response = await fetch(`${base}/api/auth/callback?code=${code}`, { method: 'POST' });
    const body = (await response.json()) as { access_token?: string };
    return { status: response.status, body, claims: claimsShape(body.access_token ?? '..') };
  };
  const [gatewayIn, bareIn] = [
    await callback(args.gateway, args.gatewayCode),
    await callback(args.bare, args.bareCode),
  ];
  sameOrFail(
    'POST /api/auth/callback (shape)',
    { status: gatewayIn.status, body: shapeOf(gatewayIn.body), claims: gatewayIn.claims },
    { status: bareIn.status, body: shapeOf(bareIn.body), claims: bareIn.claims },
  );
  if (gatewayIn.status !== 200) throw new Error(`POST /api/auth/callback: ${gatewayIn.status}`);
  process.stdout.write(
    'The bare server answers as the gateway does (/me body, ETag, 304, callback shape).\n',
  );
}

/** Apps whose CPU profile `--profile` writes (gateway by default; `--profile-apps users,...`). */
const profiledApps = profileGateway
  ? argValue('profile-apps', 'gateway')
      .split(',')
      .map((app) => app.trim())
      .filter((app) => app.length > 0)
  : [];
const PROFILES = join(ROOT, 'bench', 'results', 'profiles');
// `--app-node-args "--max-semi-space-size=4"`: Node options of every app (e.g. to see what a V8
// setting does to the RSS and the rates).
const appNodeArgs = argValue('app-node-args', '')
  .split(' ')
  .filter((arg) => arg.length > 0);
const profileArgs = (app: string) => [
  ...appNodeArgs,
  ...(profiledApps.includes(app) ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILES, app)}`] : []),
];

async function main(): Promise<void> {
  printRuntime();
  const startedAt = Date.now();
  const rounds = Number(argValue('rounds', '1'));
  const services = ['users', 'auth-codes'];
  platform = await startBuiltPlatform({
    name: 'api',
    services,
    env: platformEnv,
    gatewayNodeArgs: profileArgs('gateway'),
    serviceNodeArgs: Object.fromEntries(services.map((app) => [app, profileArgs(app)])),
    ready: readyForBench,
  });
  const barePort = await freePort();
  platform.spawn('bare fastify', join(DIST, 'bench', 'bench', 'api-bare-server.js'), [
    ...['--port', String(barePort)],
    ...['--database-url', platform.databaseUrl],
    ...['--redis-url', platform.env.REDIS_URL],
    ...['--redis-prefix', platform.redisPrefix],
    ...['--jwt-secret', platform.env.JWT_SECRET],
    ...['--pool-size', platform.env.DATABASE_POOL_SIZE ?? '10'],
  ]);
  const gateway = platform.gatewayUrl;
  const bare = `http://127.0.0.1:${barePort}`;
  await waitFor(`${bare}/health`, 30_000);

  const wantsCallback = only.length === 0 || only.some((word) => 'callback'.includes(word));
  // Each side spends its own codes, `--codes` a round (and one for the comparison), issued the
  // same way (the gateway's generate-code) to members of their own, at most MAX_LIVE_CODES each.
  const perSide = wantsCallback ? codePool * rounds + 1 : 1;
  const holderCount = Math.ceil((2 * perSide) / MAX_LIVE_CODES);
  process.stdout.write(
    `Signing in ${memberCount} + ${holderCount} members and issuing 2 x ${perSide} login codes...\n`,
  );
  const members = await signInMembers(gateway);
  const holders = await signInMembers(gateway, holderCount);
  const codes = await pool(
    Array.from({ length: 2 * perSide }, (_, i) => holders[i % holders.length]),
    64,
    async (member) =>
      (
        await post<{ code: string }>(`${gateway}/api/auth/generate-code`, undefined, {
          authorization: `Bearer ${member.token}`,
        })
      ).code,
  );
  const gatewayCodes = codes.filter((_, i) => i % 2 === 0);
  const bareCodes = codes.filter((_, i) => i % 2 === 1);
  await compareAnswers({
    gateway,
    bare,
    member: members[0],
    gatewayCode: gatewayCodes.pop() ?? '',
    bareCode: bareCodes.pop() ?? '',
  });

  const pairs: ScenarioPair[] = [
    {
      name: 'GET /health',
      gateway: { name: 'GET /health (gateway)', url: `${gateway}/health`, expectedStatus: 200 },
      bare: { name: 'GET /health (bare)', url: `${bare}/health`, expectedStatus: 200 },
    },
    {
      name: 'GET /api/users/me (200)',
      gateway: meScenario('GET /api/users/me (200) (gateway)', gateway, members, false),
      bare: meScenario('GET /api/users/me (200) (bare)', bare, members, false),
    },
    {
      name: 'GET /api/users/me (304)',
      gateway: meScenario('GET /api/users/me (304) (gateway)', gateway, members, true),
      bare: meScenario('GET /api/users/me (304) (bare)', bare, members, true),
    },
    {
      name: 'POST /api/auth/callback',
      gateway: callbackScenario('POST /api/auth/callback (gateway)', gateway, gatewayCodes),
      bare: callbackScenario('POST /api/auth/callback (bare)', bare, bareCodes),
    },
  ].filter((pair) => only.length === 0 || only.some((word) => pair.name.includes(word)));

  // Gateway and bare take turns, scenario by scenario (and the first of each pair alternates
  // between rounds), so a busy machine's drift hits both sides alike.
  const runs: Array<{ round: number; pair: string; side: 'gateway' | 'bare'; measured: Measured }> =
    [];
  for (let round = 1; round <= rounds; round++) {
    for (const pair of pairs) {
      const sides =
        round % 2 === 1 ? (['gateway', 'bare'] as const) : (['bare', 'gateway'] as const);
      for (const side of sides) {
        const scenario = pair[side];
        process.stdout.write(
          `Round ${round}/${rounds}: ${scenario.name} ${scenario.amount === undefined ? `for ${durationSeconds} s` : `x ${scenario.amount}`} at ${connections} connections...\n`,
        );
        // The code exchange gets no warm-up: it would spend codes (the other paths are warmed).
        const warmup = round === 1 && scenario.method !== 'POST';
        runs.push({ round, pair: pair.name, side, measured: await measure(scenario, { warmup }) });
      }
    }
  }

  // Requests autocannon left in flight finish before the sizes are read and the apps stopped.
  await new Promise((r) => setTimeout(r, 2000));
  const rss = platform.rss();

  const mean = (values: number[]) =>
    values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
  // NaN when `--only` left a scenario out.
  const rate = (pair: string, side: 'gateway' | 'bare') =>
    mean(
      runs
        .filter((r) => r.pair === pair && r.side === side)
        .map((r) => r.measured.expectedPerSecond),
    );
  const summary = pairs.map(({ name }) => ({
    scenario: name,
    gateway: rate(name, 'gateway'),
    bare: rate(name, 'bare'),
    ratio: rate(name, 'gateway') / rate(name, 'bare'),
  }));
  const ratioOf = (name: string) => summary.find((s) => s.scenario === name)?.ratio ?? Number.NaN;
  const ratios = {
    healthOverBare: ratioOf('GET /health'),
    meOkOverBare: ratioOf('GET /api/users/me (200)'),
    meNotModifiedOverBare: ratioOf('GET /api/users/me (304)'),
    callbackOverBare: ratioOf('POST /api/auth/callback'),
    notModifiedOverOk:
      rate('GET /api/users/me (304)', 'gateway') / rate('GET /api/users/me (200)', 'gateway'),
  };

  printTable(
    `API at ${connections} connections, ${rounds} x ${durationSeconds} s each (req/s counts expected statuses only)`,
    runs.map(({ round, side, measured: m }) => ({
      round,
      scenario: m.scenario,
      'req/s': Math.round(m.expectedPerSecond),
      'p50 ms': m.p50,
      'p99 ms': m.p99,
      requests: m.total,
      unexpected: m.unexpected,
      errors: m.errors,
      side,
    })),
  );
  printTable(
    'Gateway ÷ bare Fastify doing the same work (mean req/s over the rounds)',
    summary.map((s) => ({
      scenario: s.scenario,
      'gateway req/s': Math.round(s.gateway),
      'bare req/s': Math.round(s.bare),
      'gateway ÷ bare': s.ratio,
    })),
  );
  const targets = [
    target('gateway /health ÷ bare Fastify', ratios.healthOverBare, '>=', 0.85),
    target('/api/users/me 200 ÷ bare equivalent', ratios.meOkOverBare, '>=', 0.5),
    target('/api/users/me 304 ÷ 200', ratios.notModifiedOverOk, '>=', 4),
    target('POST /api/auth/callback ÷ bare equivalent', ratios.callbackOverBare, '>=', 0.35),
    ...['gateway', ...services].map((app) =>
      target(`RSS ${app} after load`, rss[app], '<=', 150, 'MB'),
    ),
  ];
  printTargets('Targets (issue 13)', targets);
  const path = writeResults('api', {
    connections,
    durationSeconds,
    warmupSeconds,
    rounds,
    members: memberCount,
    codes: codePool,
    logLevel,
    appNodeArgs,
    runs,
    summary,
    ratios,
    rssMb: rss,
    targets,
  });
  process.stdout.write(`Results written to ${path}\n`);

  if (profiledApps.length > 0) {
    // The profiles are written as the processes exit.
    await platform.stop();
    platform = undefined;
    for (const app of profiledApps) {
      const file = newestProfile(join(PROFILES, app), startedAt);
      if (file) printProfileSummary(`CPU profile of ${app}`, summarizeProfile(file));
      else process.stdout.write(`No CPU profile of ${app} was written.\n`);
    }
  }
}

/** The collector stub's program: counts each POST /v1/traces and its bytes, drops the spans. */
const COLLECTOR_STUB = `
const { createServer } = require('node:http');
let exports = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk) => (bytes += chunk.length));
  request.on('end', () => {
    if (request.method === 'POST' && request.url === '/v1/traces') exports += 1;
    response.writeHead(request.url === '/v1/traces' ? 200 : 404, { 'content-type': 'application/json' });
    response.end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ exports, bytes }));
process.on('disconnect', () => process.exit(0));
`;

/**
 * An OTLP/HTTP collector stub in a process of its own (receiving and parsing the spans must not
 * take the load generator's time, which would count against tracing twice).
 */
async function startCollectorStub(): Promise<{
  url: string;
  received: () => Promise<{ exports: number; bytes: number }>;
  close: () => Promise<void>;
}> {
  const child = spawn(process.execPath, ['-e', COLLECTOR_STUB], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((listening, failed) => {
    child.once('message', (message) => listening((message as { port: number }).port));
    child.once('exit', (code) => failed(new Error(`the collector stub exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    received: () =>
      new Promise((answered) => {
        child.once('message', (message) => answered(message as { exports: number; bytes: number }));
        child.send('count');
      }),
    close: () =>
      new Promise((closed) => {
        if (child.exitCode !== null) return closed();
        child.once('exit', () => closed());
        child.disconnect();
      }),
  };
}

let tracingPlatforms: BuiltPlatform[] = [];
let collector: Awaited<ReturnType<typeof startCollectorStub>> | undefined;

/** The CPU profiles of the traced platform (`--tracing --profile`): one directory per app. */
const tracingProfileDir = (app: string) =>
  join(benchLib.RESULTS_DIR, 'profiles', `tracing-on-${process.pid}`, app);

/**
 * `--tracing`: GET /health and GET /api/users/me with tracing off and on, side by side. With
 * `--profile`, the traced platform's gateway and users run with `--cpu-prof` and their profiles
 * are summarised at the end (the ratios of such a run are not the target's: profiling costs).
 */
async function compareTracing(): Promise<void> {
  benchLib.printRuntime();
  const rounds = Number(argValue('rounds', '2'));
  const sampleRatio = Number(argValue('sample', '1'));
  const profileArgs = (app: string) => ['--cpu-prof', `--cpu-prof-dir=${tracingProfileDir(app)}`];
  collector = await startCollectorStub();
  const start = (mode: 'off' | 'on') =>
    startBuiltPlatform({
      name: `api_tracing_${mode}`,
      services: ['users', 'auth-codes'],
      ...(profileGateway && mode === 'on'
        ? {
            gatewayNodeArgs: profileArgs('gateway'),
            serviceNodeArgs: { users: profileArgs('users') },
          }
        : {}),
      env: {
        ...platformEnv,
        // Any free ops port: another process on this machine may hold the default one.
        OPS_PORT: '0',
        // Empty is unset: the off platform does not trace even if this shell exports it.
        OTEL_EXPORTER_OTLP_ENDPOINT: mode === 'on' ? (collector?.url ?? '') : '',
        // `--sample 0.1`: the sampler a busy production would run (read by the SDK itself).
        ...(mode === 'on' && sampleRatio < 1
          ? {
              OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
              OTEL_TRACES_SAMPLER_ARG: String(sampleRatio),
            }
          : {}),
      },
      ready: readyForBench,
    });
  const off = await start('off');
  tracingPlatforms.push(off);
  const on = await start('on');
  tracingPlatforms.push(on);
  process.stdout.write(`Signing in ${memberCount} members on each platform...\n`);
  const membersOf = new Map([
    [off, await signInMembers(off.gatewayUrl)],
    [on, await signInMembers(on.gatewayUrl)],
  ]);
  const scenariosOf = (target: BuiltPlatform): Scenario[] => {
    const members = membersOf.get(target) ?? [];
    let turn = 0;
    return [
      { name: 'GET /health', url: `${target.gatewayUrl}/health`, expectedStatus: 200 },
      {
        name: 'GET /api/users/me (200)',
        url: `${target.gatewayUrl}/api/users/me`,
        expectedStatus: 200,
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            authorization: `Bearer ${members[turn++ % members.length].token}`,
          },
        }),
      },
    ];
  };
  const byMode = { off: scenariosOf(off), on: scenariosOf(on) };
  const runs: Array<{ round: number; mode: 'off' | 'on'; measured: Measured }> = [];
  for (let round = 1; round <= rounds; round++) {
    for (let i = 0; i < byMode.off.length; i++) {
      for (const mode of ['off', 'on'] as const) {
        const scenario = byMode[mode][i];
        process.stdout.write(
          `Round ${round}/${rounds}: ${scenario.name}, tracing ${mode}, ${durationSeconds} s...\n`,
        );
        runs.push({
          round,
          mode,
          measured: await measure(scenario, { warmup: round === 1 }),
        });
      }
    }
  }
  await new Promise((r) => setTimeout(r, 2000));
  const received = await collector.received();
  if (received.exports === 0) throw new Error('the collector stub received no spans');

  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const summary = byMode.off.map(({ name }) => {
    const of = (mode: 'off' | 'on') =>
      runs.filter((r) => r.mode === mode && r.measured.scenario === name).map((r) => r.measured);
    const offRate = mean(of('off').map((m) => m.expectedPerSecond));
    const onRate = mean(of('on').map((m) => m.expectedPerSecond));
    return {
      scenario: name,
      offRate,
      onRate,
      ratio: onRate / offRate,
      offP99: Math.max(...of('off').map((m) => m.p99)),
      onP99: Math.max(...of('on').map((m) => m.p99)),
      unexpected: [...of('off'), ...of('on')].reduce((sum, m) => sum + m.unexpected, 0),
    };
  });
  printTable(
    `Tracing off vs on (OTLP to a local collector stub, ${sampleRatio * 100}% of traces sampled), ${connections} connections, ${rounds} x ${durationSeconds} s each`,
    runs.map(({ round, mode, measured }) => ({
      round,
      scenario: measured.scenario,
      tracing: mode,
      'req/s': Math.round(measured.expectedPerSecond),
      'p50 ms': measured.p50,
      'p99 ms': measured.p99,
      unexpected: measured.unexpected,
    })),
  );
  const rss = { off: off.rss(), on: on.rss() };
  const targets = [
    ...summary.map((s) =>
      benchLib.target(`tracing on ÷ off, ${s.scenario.replace(' (200)', '')}`, s.ratio, '>=', 0.9),
    ),
    ...(['off', 'on'] as const).flatMap((mode) =>
      Object.entries(rss[mode]).map(([app, mb]) =>
        benchLib.target(`RSS ${app} (tracing ${mode}) after load`, mb, '<=', 150, 'MB'),
      ),
    ),
  ];
  process.stdout.write(
    `Collector stub: ${received.exports} OTLP exports, ${Math.round(received.bytes / 1024)} KiB\n`,
  );
  printTable(
    'Resident set size after the load (MB)',
    (['off', 'on'] as const).flatMap((mode) =>
      Object.entries(rss[mode]).map(([app, mb]) => ({
        tracing: mode,
        app,
        'RSS MB': benchLib.fmt(mb, 1),
      })),
    ),
  );
  if (profileGateway) {
    // The apps write their profiles as they exit.
    await stopAll();
    for (const app of ['gateway', 'users']) {
      const file = benchLib.newestProfile(tracingProfileDir(app));
      if (file) benchLib.printProfileSummary(`${app}, tracing on`, benchLib.summarizeProfile(file));
    }
  }
  const path = writeResults('api-tracing', {
    connections,
    durationSeconds,
    warmupSeconds,
    rounds,
    sampleRatio,
    members: memberCount,
    logLevel,
    runs,
    summary,
    collector: received,
    rssMb: rss,
    targets,
  });
  process.stdout.write(`Results written to ${path}\n`);
  benchLib.printTargets(
    `Tracing overhead (${sampleRatio * 100}% of traces sampled, ${rounds} x ${durationSeconds} s)`,
    targets,
  );
}

async function stopAll(): Promise<void> {
  await Promise.all([platform, ...tracingPlatforms].map((p) => p?.stop()));
  tracingPlatforms = [];
  await collector?.close();
}

(process.argv.includes('--tracing') ? compareTracing() : main())
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(
      `bench:api failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  })
  .finally(() =>
    stopAll().catch((error: unknown) => {
      process.exitCode = 1;
      process.stderr.write(`bench:api cleanup failed: ${String(error)}\n`);
    }),
  );
