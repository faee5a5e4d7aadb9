import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
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
  // An app's ops port: /health/live always, /health/ready while `ready`.
  const ops = createServer((request, response) => {
    const ok = request.url === '/health/live' || (request.url === '/health/ready' && ready);
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        ok
          ? { status: 'ok' }
          : { status: 'error', error: { redis: { status: 'down', message: 'ECONNREFUSED' } } },
      ),
    );
  });
  let opsPort: number;

  beforeAll(async () => {
    opsPort = await listen(ops);
  });

  afterAll(() => new Promise((resolve) => ops.close(resolve)));

  it.each(['gateway', 'users', 'bot'])('passes %s while /health/ready answers 200', async (app) => {
    ready = true;
    const sut = await runHealthcheck([app], { OPS_PORT: String(opsPort) });
    expect(sut).toEqual({ code: 0, output: expect.stringContaining('GET /health/ready 200') });
  });

  it('fails while /health/ready answers 503, and names the failing check', async () => {
    ready = false;
    const sut = await runHealthcheck(['events'], { OPS_PORT: String(opsPort) });
    expect(sut.code).toBe(1);
    expect(sut.output).toContain('503');
    expect(sut.output).toContain('failing: redis (ECONNREFUSED)');
  });

  it('checks liveness only (/health/live) with --live', async () => {
    ready = false;
    const sut = await runHealthcheck(['users', '--live'], { OPS_PORT: String(opsPort) });
    expect(sut).toEqual({ code: 0, output: expect.stringContaining('GET /health/live 200') });
  });

  it('fails when nothing listens on OPS_PORT', async () => {
    const sut = await runHealthcheck(['gateway'], { OPS_PORT: String(await unusedPort()) });
    expect(sut.code).toBe(1);
    expect(sut.output).toContain('ECONNREFUSED');
  });

  it('takes the app from APP, as set in the image', async () => {
    ready = true;
    const sut = await runHealthcheck([], { APP: 'auth-codes', OPS_PORT: String(opsPort) });
    expect(sut).toEqual({ code: 0, output: expect.stringContaining('auth-codes: healthy') });
  });

  it('refuses an unknown app', async () => {
    const sut = await runHealthcheck(['nope'], {});
    expect(sut.code).toBe(1);
    expect(sut.output).toContain('unknown app');
  });
});
