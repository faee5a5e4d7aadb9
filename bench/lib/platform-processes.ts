import { ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { unlinkKeysWithPrefix } from '@up/testing';

/**
 * The built platform as child processes for a benchmark: each app (dist/apps/<app>) in its own
 * process against the local PostgreSQL and Redis, in a database and key prefix of this run that
 * `stop()` removes again.
 */
export interface BuiltPlatformOptions {
  /** Names the run's database (`up_bench_<name>_<id>`) and key prefix (`bench_<name>_<id>`). */
  name: string;
  /** Added to every app's environment (over the defaults: database, Redis, HOST, JWT secret). */
  env: Record<string, string>;
  /** The services started before the gateway, in order. */
  services: string[];
  /** Processes per service (1 when absent); a service listed here shows its count when starting. */
  replicas?: Record<string, number>;
  /** Node options of the gateway process (e.g. `--cpu-prof`). */
  gatewayNodeArgs?: string[];
  /** Node options of a service's processes, by service (e.g. `{ users: ['--cpu-prof'] }`). */
  serviceNodeArgs?: Record<string, string[]>;
  /** When the gateway's /ready answer means ready (default: status 200). */
  ready?: (status: number, body: string) => boolean;
}

export interface BuiltPlatform {
  /** `http://127.0.0.1:<port>` of the gateway. */
  gatewayUrl: string;
  /** The environment every app got (before its own PORT and BUS_CONSUMER_NAME). */
  env: Record<string, string>;
  databaseUrl: string;
  redisPrefix: string;
  /** Starts another process (a script with arguments), stopped with the platform. */
  spawn(name: string, script: string, args?: string[]): void;
  /**
   * Starts one more process of service `app` with the platform's environment, stopped with the
   * platform; answers its bus consumer name (the caller waits for it to read, if it needs to).
   */
  startReplica(app: string): string;
  /**
   * The resident set size (MB) of every running process, by name (`users`, `gateway`, ...), read
   * from /proc (Linux); an empty map where /proc is not there.
   */
  rss(): Record<string, number>;
  /** Stops every process (the last started first), drops the database and unlinks the keys. */
  stop(): Promise<void>;
}

/** VmRSS of process `pid` in MB, from /proc/<pid>/status; undefined when it cannot be read. */
export function rssMegabytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const ROOT = resolve(process.cwd());

/** The Node flags every app runs with in production (the Dockerfile's CMD) and under `npm start`. */
const APP_NODE_FLAGS = JSON.parse(
  readFileSync(join(ROOT, 'scripts', 'lib', 'app-node-flags.json'), 'utf8'),
) as string[];

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
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

/** Polls `url` until `ready(status, body)` holds. */
export async function waitFor(
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

/** Runs `work` over `items` with at most `limit` at a time. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
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

/** Login Widget data for Telegram user `id`, signed as Telegram signs it with `botToken`. */
export function telegramWidgetData(botToken: string, id: number): Record<string, string | number> {
  const fields: Record<string, string | number> = {
    id,
    first_name: `Bench${id}`,
    auth_date: Math.floor(Date.now() / 1000),
  };
  const dataCheckString = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('\n');
  const secret = createHash('sha256').update(botToken).digest();
  return { ...fields, hash: createHmac('sha256', secret).update(dataCheckString).digest('hex') };
}

/**
 * Starts the services, then the gateway on a free port, and waits (up to 2 minutes) for the
 * gateway's /ready. On failure everything started so far is stopped and cleaned up.
 */
export async function startBuiltPlatform(options: BuiltPlatformOptions): Promise<BuiltPlatform> {
  const runId = randomBytes(4).toString('hex');
  const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const urlWithDatabase = (database: string) => {
    const url = new URL(postgresUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const databaseName = `up_bench_${options.name}_${runId}`;
  const databaseUrl = urlWithDatabase(databaseName);
  const redisPrefix = `bench_${options.name}_${runId}`;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_PRETTY: 'false',
    DATABASE_URL: databaseUrl,
    DATABASE_MIGRATE_ON_START: 'true',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    JWT_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    ...options.env,
  };

  const children: ChildProcess[] = [];
  const names = new Map<ChildProcess, string>();
  const extraReplicas: Record<string, number> = {};
  let stopping = false;
  const startChild = (
    name: string,
    script: string,
    args: string[],
    childEnv: Record<string, string>,
    nodeArgs: string[] = [],
  ): void => {
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, ...nodeArgs, script, ...args], {
      env: { ...process.env, ...childEnv },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      if (!stopping)
        process.stderr.write(`${name} exited early (code ${code}, signal ${signal})\n`);
    });
    children.push(child);
    names.set(child, name);
  };
  const appScript = (app: string) => join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');

  const stopChildren = async (): Promise<void> => {
    stopping = true;
    // The last started first: the gateway before the services it calls.
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
  };
  const stop = async (): Promise<void> => {
    await stopChildren();
    const admin = new Client({ connectionString: urlWithDatabase('postgres') });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    await unlinkKeysWithPrefix(redisUrl, redisPrefix);
  };

  const replicas = (app: string) => options.replicas?.[app] ?? 1;
  const listed = options.services.map((app) =>
    options.replicas?.[app] === undefined ? app : `${app} (x${replicas(app)})`,
  );
  process.stdout.write(
    `Starting ${listed.join(', ')} and the gateway (prefix ${redisPrefix})...\n`,
  );
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  try {
    for (const app of options.services) {
      const count = replicas(app);
      for (let i = 0; i < count; i++) {
        const [label, consumer] =
          options.replicas?.[app] === undefined
            ? [app, `${app}-bench`]
            : [`${app}-${i}`, `${app}-bench-${i}`];
        startChild(
          label,
          appScript(app),
          [],
          { ...env, BUS_CONSUMER_NAME: consumer },
          options.serviceNodeArgs?.[app],
        );
      }
    }
    startChild(
      'gateway',
      appScript('gateway'),
      [],
      { ...env, PORT: String(gatewayPort), BUS_CONSUMER_NAME: 'gateway-bench' },
      options.gatewayNodeArgs,
    );
    await waitFor(`${gatewayUrl}/ready`, 120_000, options.ready);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    gatewayUrl,
    env,
    databaseUrl,
    redisPrefix,
    spawn: (name, script, args = []) => startChild(name, script, args, {}),
    startReplica: (app) => {
      const n = (extraReplicas[app] = (extraReplicas[app] ?? 0) + 1);
      const consumer = `${app}-bench-extra-${n}`;
      startChild(`${app}-extra-${n}`, appScript(app), [], { ...env, BUS_CONSUMER_NAME: consumer });
      return consumer;
    },
    rss: () => {
      const sizes: Record<string, number> = {};
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const mb = rssMegabytes(child.pid);
        if (mb !== undefined) sizes[names.get(child) ?? String(child.pid)] = mb;
      }
      return sizes;
    },
    stop,
  };
}
