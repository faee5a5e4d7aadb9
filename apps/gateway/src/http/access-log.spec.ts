import { Writable } from 'node:stream';
import Fastify, { FastifyInstance } from 'fastify';
import type { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { CommonEnv } from '@up/config';
import { pinoOptions } from '@up/logging';
import { AccessLog } from './access-log';
import { registerResponseObservers } from './response-observers';

interface Harness {
  app: FastifyInstance;
  lines: () => Array<Record<string, unknown>>;
}

/** A Fastify app with the access log on, logging at `level` with the gateway's pino options. */
async function appLoggingAt(level: string): Promise<Harness> {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const config = Object.assign(new CommonEnv(), { LOG_LEVEL: level, LOG_PRETTY: false });
  const logger = pino(pinoOptions('gateway', config), stream);
  const sut = new AccessLog({ logger } as PinoLogger);
  const app = Fastify({ genReqId: () => 'req-1' });
  registerResponseObservers(app, [sut]);
  app.get('/health', () => ({ status: 'ok' }));
  app.get('/api/events/:id', () => ({ id: 1 }));
  app.post('/api/auth/callback', () => ({ ok: true }));
  app.get('/boom', (_request, reply) => reply.code(503).send({ down: true }));
  await app.ready();
  return { app, lines: () => chunks.map((line) => JSON.parse(line)) };
}

describe(AccessLog.name, () => {
  let harness: Harness;

  afterEach(() => harness?.app.close());

  it('writes one line per request once answered, with the route pattern and no secrets', async () => {
    harness = await appLoggingAt('info');

    await harness.app.inject({ method: 'POST', url: '/api/auth/callback?code=abc123&x=1' });
    await harness.app.inject({ url: '/api/events/42' });

    expect(harness.lines()).toEqual([
      expect.objectContaining({
        level: 30,
        app: 'gateway',
        msg: 'request completed',
        requestId: 'req-1',
        req: {
          method: 'POST',
          url: '/api/auth/callback?code=[redacted]&x=1',
          route: '/api/auth/callback',
          remoteAddress: '127.0.0.1',
        },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
      expect.objectContaining({
        req: expect.objectContaining({ url: '/api/events/42', route: '/api/events/:id' }),
      }),
    ]);
  });

  it('logs unmatched requests, and server errors at warn', async () => {
    harness = await appLoggingAt('info');

    await harness.app.inject({ url: '/nowhere' });
    await harness.app.inject({ url: '/boom' });

    expect(harness.lines()).toEqual([
      expect.objectContaining({ level: 30, res: { statusCode: 404 } }),
      expect.objectContaining({ level: 40, res: { statusCode: 503 } }),
    ]);
    expect(harness.lines()[0].req).not.toHaveProperty('route');
  });

  it('leaves probes out, whatever their query string', async () => {
    harness = await appLoggingAt('info');

    await harness.app.inject({ url: '/health' });
    await harness.app.inject({ url: '/health?probe=k8s' });

    expect(harness.lines()).toEqual([]);
  });

  it('writes only the warn lines when info is off', async () => {
    harness = await appLoggingAt('warn');

    await harness.app.inject({ url: '/api/events/42' });
    await harness.app.inject({ url: '/boom' });

    expect(harness.lines()).toEqual([expect.objectContaining({ res: { statusCode: 503 } })]);
  });
});
