import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestRedisSpace } from '@up/testing';
import { ROOT } from './deploy-files';

interface Outcome {
  code: number;
  output: string;
}

/** Runs the image healthcheck the way Docker and Kubernetes do: a process and its exit code. */
function runHealthcheck(args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'scripts/healthcheck.mjs'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HEALTHCHECK_TIMEOUT_MS: '2000', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('scripts/healthcheck.mjs', () => {
  let ready = true;
  const gateway = createServer((request, response) => {
    const ok = request.url === '/health' || ready;
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        ok ? { status: 'ok' } : { status: 'error', checks: { users: { status: 'down' } } },
      ),
    );
  });
  let gatewayPort: number;

  beforeAll(async () => {
    gatewayPort = await listen(gateway);
  });

  afterAll(() => new Promise((resolve) => gateway.close(resolve)));

  it('passes the gateway while /ready answers 200', async () => {
    ready = true;
    const sut = await runHealthcheck(['gateway'], { PORT: String(gatewayPort) });
    expect(sut).toEqual({ code: 0, output: expect.stringContaining('GET /ready 200') });
  });

  it('fails the gateway while /ready answers 503, and says what fails', async () => {
    ready = false;
    const sut = await runHealthcheck(['gateway'], { PORT: String(gatewayPort) });
    expect(sut.code).toBe(1);
    expect(sut.output).toContain('503');
    expect(sut.output).toContain('users');
  });

  it('checks liveness only (/health) with --live', async () => {
    ready = false;
    const sut = await runHealthcheck(['gateway', '--live'], { PORT: String(gatewayPort) });
    expect(sut).toEqual({ code: 0, output: expect.stringContaining('GET /health 200') });
  });

  it('fails the gateway when nothing listens on PORT', async () => {
    const sut = await runHealthcheck(['gateway'], { PORT: String(await unusedPort()) });
    expect(sut.code).toBe(1);
    expect(sut.output).toContain('ECONNREFUSED');
  });

  it('takes the app from APP, as set in the image', async () => {
    ready = true;
    const sut = await runHealthcheck([], { APP: 'gateway', PORT: String(gatewayPort) });
    expect(sut.code).toBe(0);
  });

  it('passes the bot while Redis answers, fails it when Redis does not', async () => {
    const redis = createTestRedisSpace();
    const up = await runHealthcheck(['bot'], { REDIS_URL: redis.url });
    const down = await runHealthcheck(['bot'], {
      REDIS_URL: `redis://127.0.0.1:${await unusedPort()}`,
    });
    expect(up.code).toBe(0);
    expect(down.code).toBe(1);
    expect(down.output).toContain('ECONNREFUSED');
  });

  it('fails a bus service that no replica answers, within its timeout', async () => {
    // The check speaks through the service's own compiled bus client: build it first.
    execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'run', 'users:build'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
    const redis = createTestRedisSpace();
    const started = Date.now();
    // NODE_ENV unset, as production: the container's bus keys are set (and the check signs with them).
    const sut = await runHealthcheck(['users'], {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
      BUS_TRUSTED_KEYS: `gateway=${randomBytes(32).toString('hex')}`,
    });
    await redis.clear();
    expect(sut.code).toBe(1);
    expect(sut.output).not.toContain('cannot load');
    expect(sut.output).toMatch(
      /users: unhealthy: (users\.health: .*(no reply|timed? ?out)|no answer within)/i,
    );
    expect(Date.now() - started).toBeLessThan(6000);
  }, 60_000);

  it('refuses an unknown app', async () => {
    const sut = await runHealthcheck(['nope'], {});
    expect(sut.code).toBe(1);
    expect(sut.output).toContain('unknown app');
  });
});
