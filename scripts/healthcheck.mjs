#!/usr/bin/env node
// The container healthcheck of every app (Dockerfile HEALTHCHECK, docker-compose, Kubernetes exec
// probes). Exit 0 when healthy, 1 otherwise, with a one-line reason on stdout.
//
//   node scripts/healthcheck.mjs [app] [--live]      (app defaults to $APP, as set in the image)
//
// - gateway: GET http://127.0.0.1:$PORT/ready (with --live: /health).
// - users, auth-codes, events: these open no port, so the check asks the service what the
//   gateway's /ready asks it: its bus health pattern (`<service>.health`), which a replica answers
//   only when its consumer loop runs and its PostgreSQL and Redis answer. It is sent with the
//   app's own compiled bus client and configuration (dist/apps/<app>/libs), so it speaks exactly
//   the app's protocol and reads the same REDIS_URL, REDIS_KEY_PREFIX and bus keys: it signs as
//   the app (which trusts its own key), and every app may ask a health pattern. The answer comes from
//   some replica of the service, not necessarily this one: with several replicas it tells that
//   the service answers, which is what dependents need (see README, "Health checks").
// - bot: it has no health pattern (it serves Telegram, not the bus), so its check is the one
//   thing it cannot work without and does not retry around: Redis answers PING.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRedis, DEFAULT_REDIS_URL } from './lib/infra.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUS_SERVICES = ['users', 'auth-codes', 'events'];
const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 3000);

const args = process.argv.slice(2);
const app = args.find((arg) => !arg.startsWith('--')) ?? process.env.APP;
const live = args.includes('--live');

function finish(ok, reason) {
  process.stdout.write(`${app ?? '?'}: ${ok ? 'healthy' : 'unhealthy'}: ${reason}\n`);
  process.exit(ok ? 0 : 1);
}

// Whatever hangs, the check answers within its timeout (plus a little for process start).
setTimeout(() => finish(false, `no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS + 500).unref();

async function checkGateway() {
  const port = process.env.PORT || '3000';
  const path = live ? '/health' : '/ready';
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.text()).slice(0, 500);
    finish(response.status === 200, `GET ${path} ${response.status} ${body}`);
  } catch (error) {
    finish(false, `GET ${path}: ${error.cause?.code ?? error.message}`);
  }
}

async function checkBusService(service) {
  const require = createRequire(import.meta.url);
  const libs = join(ROOT, 'dist', 'apps', service, 'libs');
  let client;
  let healthPattern;
  let firstValueFrom;
  try {
    // The bus client logs through Nest's logger; a healthcheck prints its one line only.
    require('@nestjs/common').Logger.overrideLogger(false);
    const { loadConfig, CommonEnv } = require(join(libs, 'config/src/index.js'));
    ({ healthPattern } = require(join(libs, 'contracts/src/index.js')));
    const { RedisStreamsClient, busOptionsFromConfig } = require(join(libs, 'bus/src/index.js'));
    ({ firstValueFrom } = require('rxjs'));
    client = new RedisStreamsClient({
      // Signs as the app it runs in, with that app's own key (BUS_SIGNING_KEY).
      ...busOptionsFromConfig(loadConfig(CommonEnv), service),
      requestTimeoutMs: TIMEOUT_MS,
      consumerName: `healthcheck-${process.pid}`,
    });
  } catch (error) {
    finish(false, `cannot load the ${service} build (dist/apps/${service}): ${error.message}`);
  }
  try {
    await client.connect();
    const report = await firstValueFrom(client.send(healthPattern(service), {}));
    const failing = Object.entries(report.checks ?? {})
      .filter(([, check]) => check.status !== 'up')
      .map(([name, check]) => `${name}${check.message ? ` (${check.message})` : ''}`);
    finish(
      report.status === 'ok',
      report.status === 'ok' ? `${service}.health ok` : `failing: ${failing.join(', ')}`,
    );
  } catch (error) {
    finish(false, `${service}.health: ${error.message}`);
  } finally {
    await client.close().catch(() => {});
  }
}

async function checkBot() {
  const result = await checkRedis(process.env.REDIS_URL || DEFAULT_REDIS_URL);
  finish(result.ok, result.ok ? `Redis answers at ${result.address}` : `Redis: ${result.error}`);
}

if (app === 'gateway') await checkGateway();
else if (BUS_SERVICES.includes(app)) await checkBusService(app);
else if (app === 'bot') await checkBot();
else
  finish(
    false,
    `unknown app ${JSON.stringify(app)} (set APP or pass gateway|users|auth-codes|events|bot)`,
  );
