import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  createTestDatabase,
  createTestRedisSpace,
  TestDatabase,
  TestRedisSpace,
} from '@up/testing';
import { ROOT } from './deploy-files';

/**
 * `npm start` as a developer runs it: the real script builds and starts the five apps, here with
 * a port, a database and a Redis key prefix of their own, so it runs beside a developer's copy.
 */
const READY_TIMEOUT_MS = 120_000;
// The apps exit within SHUTDOWN_TIMEOUT_SECONDS (10 s) of SIGTERM; start.mjs right after them.
const STOP_TIMEOUT_MS = 11_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The direct children of a process (Linux `ps`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

interface StartedScript {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runStart(env: Record<string, string>): StartedScript {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

describe('npm start (scripts/start.mjs)', () => {
  let database: TestDatabase;
  let redis: TestRedisSpace;
  let port: number;
  /** The first of the five ops ports start.mjs hands out (gateway, users, auth-codes, events, bot). */
  let opsPort: number;
  let sut: StartedScript | undefined;
  let appPids: number[] = [];

  /** The environment of this copy of the platform: its own port, database and key prefix. */
  const environment = (): Record<string, string> => ({
    PORT: String(port),
    OPS_PORT: String(opsPort),
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.prefix,
    // The test runner's own settings (NODE_ENV=test, silent logs) are not a developer's, who
    // leaves NODE_ENV unset (empty is unset): start.mjs runs the apps in development then.
    NODE_ENV: '',
    LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: '',
    START_READY_TIMEOUT_SECONDS: String(READY_TIMEOUT_MS / 1000 - 10),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = createTestRedisSpace();
    port = await freePort();
    opsPort = await freePort();
  });

  afterAll(async () => {
    // A failed test must not leave apps running on the shared machine.
    if (sut && sut.child.exitCode === null && sut.child.signalCode === null) {
      sut.child.kill('SIGKILL');
    }
    for (const pid of appPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await redis?.clear();
    await database?.drop();
  });

  it('stops at once, naming the server, when Redis cannot be reached', async () => {
    const closed = await freePort();
    const script = runStart({ ...environment(), REDIS_URL: `redis://127.0.0.1:${closed}` });
    const { code } = await script.exited;
    expect(code).toBe(1);
    expect(script.output()).toContain(`Redis is not reachable at 127.0.0.1:${closed}`);
    expect(script.output()).toContain('redis-server --daemonize yes');
    expect(script.output()).not.toContain('PostgreSQL');
  });

  it('stops at once when the port is taken, rather than probe someone else', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '0.0.0.0', resolve));
    try {
      const script = runStart(environment());
      const { code } = await script.exited;
      expect(code).toBe(1);
      expect(script.output()).toContain(`Port ${port} is already in use`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it(
    'builds and starts all five apps until /ready answers 200, and stops them all on SIGTERM',
    async () => {
      sut = runStart(environment());
      const script = sut;
      const failIfExited = () => {
        if (script.child.exitCode !== null) {
          throw new Error(`start.mjs exited with ${script.child.exitCode}:\n${script.output()}`);
        }
      };

      await waitFor(
        'the ready line',
        () => {
          failIfExited();
          return script.output().includes('UP Club is ready');
        },
        READY_TIMEOUT_MS,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${script.output()}`);
      });
      expect(script.output()).toContain(`http://localhost:${port}/docs`);
      expect(await status(`http://127.0.0.1:${port}/ready`)).toBe(200);
      expect(await status(`http://127.0.0.1:${port}/health`)).toBe(200);
      // The documentation it points at is there.
      expect(await status(`http://127.0.0.1:${port}/docs-json`)).toBe(200);

      // Each app answers on its own ops port, which the script printed; the image healthcheck,
      // pointed at it, passes.
      const apps = ['gateway', 'users', 'auth-codes', 'events', 'bot'];
      for (const [index, service] of apps.entries()) {
        const ops = opsPort + index;
        expect(script.output()).toContain(`http://localhost:${ops}`);
        expect(await status(`http://127.0.0.1:${ops}/metrics`)).toBe(200);
        const check = spawnSync(process.execPath, ['scripts/healthcheck.mjs', service], {
          cwd: ROOT,
          // The apps' environment: start.mjs ran them with NODE_ENV=development (their bus keys).
          env: { ...process.env, ...environment(), NODE_ENV: 'development', OPS_PORT: String(ops) },
          encoding: 'utf8',
        });
        expect({ service, code: check.status, output: check.stdout }).toEqual({
          service,
          code: 0,
          output: expect.stringContaining('healthy'),
        });
      }

      appPids = childrenOf(script.child.pid as number);
      expect(appPids).toHaveLength(5);

      script.child.kill('SIGTERM');
      const stoppedBy = Date.now() + STOP_TIMEOUT_MS;
      const exit = await Promise.race([
        script.exited,
        new Promise<'timeout'>((resolve) =>
          setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref(),
        ),
      ]);
      expect({ exit, output: exit === 'timeout' ? script.output() : '' }).toEqual({
        exit: { code: 0, signal: null },
        output: '',
      });
      expect(Date.now()).toBeLessThanOrEqual(stoppedBy);
      expect(appPids.filter(isRunning)).toEqual([]);
      expect(await status(`http://127.0.0.1:${port}/health`)).toBe(0);
    },
    READY_TIMEOUT_MS + STOP_TIMEOUT_MS + 30_000,
  );
});
