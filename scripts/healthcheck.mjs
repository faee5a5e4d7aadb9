#!/usr/bin/env node
// The container healthcheck of every app (Dockerfile HEALTHCHECK, docker-compose). Exit 0 when
// healthy, 1 otherwise, with a one-line reason on stdout.
//
//   node scripts/healthcheck.mjs [app] [--live]      (app defaults to $APP, as set in the image)
//
// Every app serves its ops port (OPS_PORT, default 9464): GET /health/ready answers 200 when this
// replica's own checks pass (its bus consumer loop, Redis, PostgreSQL and the outbox relay where
// it has them) and 503 naming the failing check; --live asks GET /health/live (the process and
// its event loop) instead. Kubernetes probes the same routes with httpGet; this script stays for
// Docker, whose HEALTHCHECK can only run a command and whose image has no curl: one file rather
// than the same `node -e "fetch(...)"` one-liner repeated in the Dockerfile and compose.
const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 3000);
const APPS = ['gateway', 'users', 'auth-codes', 'events', 'bot'];

const args = process.argv.slice(2);
const app = args.find((arg) => !arg.startsWith('--')) ?? process.env.APP;
const path = args.includes('--live') ? '/health/live' : '/health/ready';

function finish(ok, reason) {
  process.stdout.write(`${app ?? '?'}: ${ok ? 'healthy' : 'unhealthy'}: ${reason}\n`);
  process.exit(ok ? 0 : 1);
}

// Whatever hangs, the check answers within its timeout (plus a little for process start).
setTimeout(() => finish(false, `no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS + 500).unref();

/** The failing checks of a 503 body (Terminus: `{status, error: {name: {status, message?}}}`). */
function failing(body) {
  try {
    const { error = {} } = JSON.parse(body);
    const names = Object.entries(error).map(
      ([name, check]) => `${name}${check?.message ? ` (${check.message})` : ''}`,
    );
    return names.length > 0 ? `failing: ${names.join(', ')}` : body;
  } catch {
    return body;
  }
}

if (!APPS.includes(app)) {
  finish(false, `unknown app ${JSON.stringify(app)} (set APP or pass ${APPS.join('|')})`);
}
const port = process.env.OPS_PORT || '9464';
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await response.text()).slice(0, 1000);
  finish(
    response.status === 200,
    `GET ${path} ${response.status}${response.status === 200 ? '' : ` ${failing(body)}`}`,
  );
} catch (error) {
  finish(false, `GET ${path}: ${error.cause?.code ?? error.message}`);
}
