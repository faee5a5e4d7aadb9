// Reachability checks for the two servers every app needs, with messages that say which server,
// at what address, and how to start it. Used by `npm start` and `.ci/run`.
import pg from 'pg';
import Redis from 'ioredis';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/up_club';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const CHECK_TIMEOUT_MS = 3000;

export const START_HINTS = {
  postgres: [
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    'docker compose up -d postgres redis',
  ],
  redis: [
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
    'docker compose up -d postgres redis',
  ],
};

/** A URL fit for a log line: the password replaced by `***`. */
export function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

function hostPort(url, defaultPort) {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || defaultPort}`;
  } catch {
    return url;
  }
}

/** The server's maintenance database (`postgres`): the app databases may not exist yet. */
export function maintenanceUrl(databaseUrl) {
  const parsed = new URL(databaseUrl);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

export async function checkPostgres(databaseUrl) {
  const address = hostPort(databaseUrl, 5432);
  let client;
  try {
    client = new pg.Client({
      connectionString: maintenanceUrl(databaseUrl),
      connectionTimeoutMillis: CHECK_TIMEOUT_MS,
    });
    // A refused connection also surfaces as an 'error' event; the rejected connect() reports it.
    client.on('error', () => {});
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, name: 'PostgreSQL', address };
  } catch (error) {
    // A SQLSTATE (28P01 bad password, 3D000 no such database, ...) means the server answered.
    const answered = typeof error?.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code);
    return { ok: false, name: 'PostgreSQL', address, error: describeError(error), answered };
  } finally {
    await client?.end().catch(() => {});
  }
}

export async function checkRedis(redisUrl) {
  const address = hostPort(redisUrl, 6379);
  let redis;
  // ioredis rejects with "Connection is closed"; the 'error' event carries the cause (ECONNREFUSED, ...).
  let cause;
  try {
    redis = new Redis(redisUrl, {
      lazyConnect: true,
      connectTimeout: CHECK_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', (error) => {
      cause = error;
    });
    await redis.connect();
    await redis.ping();
    return { ok: true, name: 'Redis', address };
  } catch (error) {
    return { ok: false, name: 'Redis', address, error: describeError(cause ?? error) };
  } finally {
    redis?.disconnect();
  }
}

function describeError(error) {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((e) => e.message).join('; ');
  }
  return error?.message || error?.code || String(error);
}

/** Human-readable lines for a failed check: what, where, why, and how to start it. */
export function unreachableMessage(result, { variable, url }) {
  if (result.answered) {
    return [
      `${result.name} at ${result.address} refused the connection (${variable}=${redactUrl(url)}): ${result.error}`,
      `  Check the user, password and options in ${variable}.`,
    ].join('\n');
  }
  const hints = result.name === 'PostgreSQL' ? START_HINTS.postgres : START_HINTS.redis;
  return [
    `${result.name} is not reachable at ${result.address} (${variable}=${redactUrl(url)}): ${result.error}`,
    `  Start it with one of:`,
    ...hints.map((hint) => `    ${hint}`),
    `  or point ${variable} at a running server.`,
  ].join('\n');
}

/**
 * Redis Cluster (REDIS_CLUSTER_NODES): answers when one seed node does (the apps learn the others
 * from it), reached with REDIS_URL's user, password and scheme as the apps reach it.
 */
async function checkRedisCluster(redisUrl, clusterNodes) {
  const seeds = clusterNodes
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean);
  const results = [];
  for (const seed of seeds) {
    const url = new URL(redisUrl);
    url.host = seed;
    const result = await checkRedis(url.toString());
    if (result.ok) return result;
    results.push(result);
  }
  return { ...results[0], address: seeds.join(','), error: results.map((r) => r.error).join('; ') };
}

/** Checks both servers at once; resolves to the failed checks (empty when both answer). */
export async function checkInfrastructure({ databaseUrl, redisUrl, redisClusterNodes }) {
  const [postgres, redis] = await Promise.all([
    checkPostgres(databaseUrl),
    redisClusterNodes ? checkRedisCluster(redisUrl, redisClusterNodes) : checkRedis(redisUrl),
  ]);
  const failures = [];
  if (!postgres.ok)
    failures.push(unreachableMessage(postgres, { variable: 'DATABASE_URL', url: databaseUrl }));
  if (!redis.ok) {
    failures.push(
      redisClusterNodes
        ? unreachableMessage(redis, {
            variable: 'REDIS_CLUSTER_NODES',
            url: `redis://${redisClusterNodes}`,
          })
        : unreachableMessage(redis, { variable: 'REDIS_URL', url: redisUrl }),
    );
  }
  return failures;
}
