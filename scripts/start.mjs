#!/usr/bin/env node
// `npm start`: builds the five apps and runs them together against the local PostgreSQL and
// Redis, until Ctrl+C (or SIGTERM) stops them all, or one of them dies and takes the rest down.
//
//   node scripts/start.mjs [--no-build]
//
// Every app gets this process's environment (plus `.env`, whose values never override real
// environment variables, and NODE_ENV=development when it is unset), so a second copy runs beside
// the first with another PORT, OPS_PORT, DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX. Each app
// gets an ops port of its own (GET /health/live, /health/ready, /metrics), counted up from
// OPS_PORT (9464): the gateway 9464, users 9465, auth-codes 9466, events 9467, the bot 9468.
// The apps create their databases, schemas and tables on start
// (DATABASE_MIGRATE_ON_START, on by default).
//
// Settings of this script only: START_READY_TIMEOUT_SECONDS (90), START_LOG_FORMAT (pretty|json).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { config as loadDotenv } from 'dotenv';
import { createAppLogs } from './lib/app-logs.mjs';
import { checkInfrastructure, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './lib/infra.mjs';

// The Node flags every app runs with, here as in the image (Dockerfile CMD): see the Dockerfile.
const APP_NODE_FLAGS = createRequire(import.meta.url)('./lib/app-node-flags.json');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Services first; the gateway's /ready waits for them anyway. */
const APPS = ['users', 'auth-codes', 'events', 'bot', 'gateway'];

loadDotenv({ path: join(ROOT, '.env'), quiet: true });

/** Like the apps' configuration: an empty value means "unset". */
function env(name, fallback) {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function positiveNumber(name, fallback) {
  const value = Number(env(name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(
      `${name} must be a positive number (got ${JSON.stringify(process.env[name])})\n`,
    );
    process.exit(2);
  }
  return value;
}

// The apps read NODE_ENV unset as production (strict secret checks, no development defaults), so
// a deployment that forgets it fails closed; `npm start` is the developer's way in and says so.
if (env('NODE_ENV', '') === '') process.env.NODE_ENV = 'development';

const PORT = env('PORT', '3000');
/** One ops port per app, so they do not collide on one machine. */
const OPS_BASE_PORT = Number(env('OPS_PORT', '9464'));
const OPS_ORDER = ['gateway', 'users', 'auth-codes', 'events', 'bot'];
const OPS_PORTS = new Map(OPS_ORDER.map((app, index) => [app, String(OPS_BASE_PORT + index)]));
const READY_TIMEOUT_MS = positiveNumber('START_READY_TIMEOUT_SECONDS', 90) * 1000;
/** The apps give in-flight work this long after SIGTERM; we allow a little more before killing. */
const STOP_TIMEOUT_MS = (positiveNumber('SHUTDOWN_TIMEOUT_SECONDS', 10) + 5) * 1000;
const LOG_FORMAT = env('START_LOG_FORMAT', 'pretty');
const BUILD = !process.argv.includes('--no-build');

// If whoever reads our output goes away (a closed pipe), keep managing the apps rather than crash
// and leave them running.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const logs = createAppLogs({ apps: APPS, format: LOG_FORMAT === 'json' ? 'json' : 'pretty' });
const startedAt = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Running apps by name: the child process and a promise settled once it exited and its output ended. */
const running = new Map();
let stopping = null;
let buildProcess = null;

// ---------------------------------------------------------------------------------------------
// Signals: the first SIGINT/SIGTERM/SIGHUP stops the apps gracefully. `npm start` in a terminal
// delivers Ctrl+C twice (from the terminal and from npm), so a repeat within 2 s is the same
// request; a later one means "stop now" and kills what is left.
let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) {
      firstSignalAt = Date.now();
      logs.info(`${signal} received: stopping the apps`);
      buildProcess?.kill('SIGTERM');
      void stop({ exitCode: 0, signal: signal === 'SIGHUP' ? 'SIGTERM' : signal });
    } else if (Date.now() - firstSignalAt > 2000) {
      logs.info(`${signal} received again: killing the apps`);
      for (const { child } of running.values()) child.kill('SIGKILL');
    }
  });
}

function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/**
 * Stops every app (SIGTERM, or the signal we received), waits for them, kills any that outlives
 * the shutdown timeout, then exits with `exitCode` (1 if an app failed to stop cleanly).
 */
function stop({ exitCode, signal = 'SIGTERM' }) {
  if (stopping) return stopping;
  stopping = (async () => {
    for (const { child, exit } of running.values()) {
      if (!exit) child.kill(signal);
    }
    const all = Promise.all([...running.values()].map((app) => app.closed));
    const timedOut = await Promise.race([
      all.then(() => false),
      sleep(STOP_TIMEOUT_MS).then(() => true),
    ]);
    let code = exitCode;
    if (timedOut) {
      for (const [name, app] of running) {
        if (!app.exit) {
          logs.info(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
          app.child.kill('SIGKILL');
          code = 1;
        }
      }
      await all;
    }
    for (const [name, app] of running) {
      const clean = app.exit.code === 0 || ['SIGTERM', 'SIGINT'].includes(app.exit.signal);
      if (!clean && !app.diedFirst) {
        logs.info(`${name} stopped with ${describeExit(app.exit)}`);
        code = code || 1;
      }
    }
    if (running.size > 0) logs.info(code === 0 ? 'all apps stopped' : 'stopped');
    process.exit(code);
  })();
  return stopping;
}

// ---------------------------------------------------------------------------------------------

/** Whether the gateway's port is free: a taken port would answer our /ready probe for someone else. */
function portIsFree(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port: Number(port), host }, () => server.close(() => resolve(true)));
  });
}

async function checkServers() {
  const failures = await checkInfrastructure({
    databaseUrl: env('DATABASE_URL', DEFAULT_DATABASE_URL),
    redisUrl: env('REDIS_URL', DEFAULT_REDIS_URL),
    // Set, the apps use the cluster (they inherit it like every variable); check that instead.
    redisClusterNodes: process.env.REDIS_CLUSTER_NODES || undefined,
  });
  if (Number(PORT) !== 0 && !(await portIsFree(PORT, env('HOST', '0.0.0.0')))) {
    failures.push(
      `Port ${PORT} is already in use (another copy of the platform?): set PORT to a free port.`,
    );
  }
  for (const [app, port] of OPS_PORTS) {
    if (!(await portIsFree(port, env('OPS_HOST', '0.0.0.0')))) {
      failures.push(
        `Port ${port} (the ops port of ${app}) is already in use: set OPS_PORT to the first of ${OPS_PORTS.size} free ports.`,
      );
    }
  }
  if (failures.length > 0) {
    process.stderr.write(`\nCannot start the platform:\n\n${failures.join('\n\n')}\n\n`);
    process.exit(1);
  }
}

/** One `nx run-many` over the five apps: SWC per app, and Nx's cache when nothing changed. */
async function build() {
  const since = Date.now();
  const nx = createRequire(import.meta.url).resolve('nx/bin/nx.js');
  const output = [];
  buildProcess = spawn(
    process.execPath,
    [nx, 'run-many', '-t', 'build', `--projects=${APPS.join(',')}`, '--output-style=static'],
    {
      cwd: ROOT,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  buildProcess.stdout.on('data', (chunk) => output.push(chunk));
  buildProcess.stderr.on('data', (chunk) => output.push(chunk));
  const { code, signal } = await new Promise((done) =>
    buildProcess.on('close', (code, signal) => done({ code, signal })),
  );
  buildProcess = null;
  if (stopping) return;
  if (code !== 0) {
    process.stderr.write(Buffer.concat(output).toString());
    process.stderr.write(`\nThe build failed (${describeExit({ code, signal })}).\n`);
    process.exit(1);
  }
  const cached =
    /Nx read the output from the cache instead of running the command for (\d+) out of (\d+)/.exec(
      Buffer.concat(output).toString(),
    );
  logs.info(
    `built ${APPS.length} apps in ${seconds(since)}${cached ? ` (${cached[1]} from cache)` : ''}`,
  );
}

function mainOf(app) {
  return join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

function launch(app) {
  const main = mainOf(app);
  if (!existsSync(main)) {
    logs.info(`${app}: ${main} does not exist; build first (npx nx run ${app}:build)`);
    void stop({ exitCode: 1 });
    return;
  }
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, main], {
    cwd: ROOT,
    env: { ...process.env, OPS_PORT: OPS_PORTS.get(app) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { child, exit: null, diedFirst: false, closed: null };
  const exited = new Promise((done) =>
    child.on('exit', (code, signal) => {
      entry.exit = { code, signal };
      done();
    }),
  );
  child.on('error', (error) => logs.info(`${app}: ${error.message}`));
  entry.closed = Promise.all([exited, logs.follow(app, child)]);
  running.set(app, entry);
  void exited.then(() => {
    if (stopping) return;
    entry.diedFirst = true;
    logs.info(`${app} died (${describeExit(entry.exit)}); stopping the other apps`);
    void stop({ exitCode: 1 });
  });
}

async function probe(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: error.cause?.code ?? error.message };
  }
}

/** Polls the gateway's /ready until it answers 200; on timeout says which checks fail and stops. */
async function waitUntilReady() {
  const base = `http://127.0.0.1:${PORT}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = { status: 0, body: 'no answer yet' };
  while (!stopping) {
    last = await probe(`${base}/ready`);
    if (stopping) return;
    if (last.status === 200) {
      const site = `http://localhost:${PORT}`;
      logs.info(`UP Club is ready in ${seconds(startedAt)}`);
      logs.info(`  API     ${site}/api  (try ${site}/api/v1/events/upcoming)`);
      logs.info(`  Docs    ${site}/docs`);
      logs.info(`  Health  ${site}/health  ${site}/ready  ${site}/metrics`);
      logs.info('  Ops     /health/live  /health/ready  /metrics  of each app:');
      for (const [app, port] of OPS_PORTS)
        logs.info(`          ${app.padEnd(10)} http://localhost:${port}`);
      // Like the users service: without SMTP_URL, mail becomes files (relative to where it runs).
      logs.info(
        env('SMTP_URL')
          ? '  Mail    through SMTP_URL'
          : `  Mail    no SMTP_URL: each mail is written as an .eml file under ${resolve(ROOT, env('MAIL_OUTBOX_DIR', '.mail'))}`,
      );
      logs.info('Press Ctrl+C to stop.');
      return;
    }
    if (Date.now() >= deadline) {
      logs.info(`not ready after ${READY_TIMEOUT_MS / 1000} s:`);
      logs.info(
        last.status === 0
          ? `  the gateway does not answer on ${base} (${last.body})`
          : `  GET ${base}/ready answered ${last.status}: ${failingChecks(last.body)}`,
      );
      void stop({ exitCode: 1 });
      return;
    }
    await sleep(500);
  }
}

/** The failing checks from a 503 /ready body (`{status, checks: {name: {status, message?}}}`). */
function failingChecks(body) {
  try {
    const parsed = JSON.parse(body);
    const checks = parsed.checks ?? parsed.details ?? parsed.error ?? {};
    const failing = Object.entries(checks)
      .filter(([, check]) => check?.status !== 'up' && check?.status !== 'ok')
      .map(([name, check]) => `${name}${check?.message ? ` (${check.message})` : ''}`);
    return failing.length > 0 ? `failing: ${failing.join(', ')}` : body;
  } catch {
    return body;
  }
}

await checkServers();
if (BUILD && !stopping) await build();
if (!stopping) {
  for (const app of APPS) launch(app);
  await waitUntilReady();
}
