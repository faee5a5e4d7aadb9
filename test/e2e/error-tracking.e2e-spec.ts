import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { trace } from '@opentelemetry/api';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { Client } from 'pg';
import { BusClient } from '@up/bus';
import {
  captureUnexpected,
  closeErrorTracking,
  flushErrorTracking,
  initErrorTracking,
} from '@up/observability';
import { ApiResponse, Platform, startPlatform } from '@up/testing';

/**
 * Error tracking over the real apps: a local HTTP server stands in for Sentry's ingest endpoint
 * (the DSN `http://<key>@127.0.0.1:<port>/1` makes the SDK post envelopes to `/api/1/envelope/`),
 * the gateway, users and auth-codes run with SENTRY_DSN pointing at it, and requests fail in every
 * way a client can make them fail (nothing is sent) and in the two ways nobody expected: a broken
 * dependency in the gateway (its bus connection: its 500) and in a service (a table gone: its
 * INTERNAL answer).
 *
 * The apps run in this one process, so they share one Sentry client, initialised here as an app's
 * instrument.ts does (its `app` tag is the process's); the test's own requests carry the
 * credentials that must never reach an event.
 */

interface SentryEvent {
  event_id: string;
  release?: string;
  environment?: string;
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown>>;
  exception?: { values?: { type?: string; value?: string }[] };
}

/** What the stand-in ingest endpoint received. */
class IngestServer {
  readonly envelopes: string[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<IngestServer> {
    const server = createServer();
    const ingest = new IngestServer(server);
    server.on('request', (req, res) => {
      void ingest.receive(req).then(() => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return ingest;
  }

  get dsn(): string {
    return `http://publickey@127.0.0.1:${(this.server.address() as AddressInfo).port}/1`;
  }

  private async receive(req: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url?.startsWith('/api/1/envelope/')) {
      const gzipped = req.headers['content-encoding'] === 'gzip';
      this.envelopes.push((gzipped ? gunzipSync(body) : body).toString('utf8'));
    }
  }

  /** The error events received: an envelope is a header line, then item header / payload lines. */
  events(): SentryEvent[] {
    return this.envelopes.flatMap((envelope) => {
      const lines = envelope.split('\n').filter((line) => line.length > 0);
      const events: SentryEvent[] = [];
      for (let i = 1; i + 1 < lines.length; i += 2) {
        const header = JSON.parse(lines[i]) as { type?: string };
        if (header.type === 'event') events.push(JSON.parse(lines[i + 1]) as SentryEvent);
      }
      return events;
    });
  }

  clear(): void {
    this.envelopes.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('error tracking (end to end)', () => {
  let ingest: IngestServer;
  let platform: Platform;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const bearer = `bearer-${randomBytes(12).toString('hex')}`;
  const loginCode = `code-${randomBytes(12).toString('hex')}`;
  let nextAddress = 1;

  /** A login as a client sends it, with credentials everywhere; each from its own address. */
  function login(options: { email: string; password?: string; requestId?: string }) {
    return platform.api.post('/api/auth/token', {
      headers: {
        authorization: `Bearer ${bearer}`,
        'x-forwarded-for': `10.8.0.${nextAddress++}`,
        ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
      },
      query: { code: loginCode },
      body: { email: options.email, password: options.password ?? password },
    });
  }

  async function eventsSent(): Promise<SentryEvent[]> {
    await expect(flushErrorTracking(5000)).resolves.toBe(true);
    return ingest.events();
  }

  function expectNoCredentialSent(): void {
    const sent = ingest.envelopes.join('\n');
    expect(sent).not.toContain(password);
    expect(sent).not.toContain(bearer);
    expect(sent).not.toContain(loginCode);
  }

  beforeAll(async () => {
    ingest = await IngestServer.start();
    const enabled = initErrorTracking({
      app: 'gateway',
      env: {
        NODE_ENV: 'test',
        SENTRY_DSN: ingest.dsn,
        SENTRY_RELEASE: 'up-club@e2e',
        SENTRY_ENVIRONMENT: 'e2e',
      },
      // Inside Jest: the runner owns the process's uncaught failures.
      processHandlers: false,
    });
    expect(enabled).toBe(true);
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: { TRUST_PROXY: 'true' },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.close();
    await closeErrorTracking();
    await ingest?.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
    ingest.clear();
  });

  it('sends nothing for what a client did wrong: 404, 400, 401, 409', async () => {
    const email = `ada-${randomUUID()}@example.org`;
    const register = () =>
      platform.api.post('/api/auth/register', {
        headers: { 'x-forwarded-for': `10.8.1.${nextAddress++}` },
        body: { email, password, full_name: 'Ada Lovelace' },
      });

    const statuses = [
      (await platform.api.get('/api/no-such-route')).status,
      (await platform.api.post('/api/auth/token', { body: { email: 'not an email' } })).status,
      (await register()).status,
      (await register()).status,
      (await login({ email, password: `${password}-wrong` })).status,
    ];

    expect(statuses).toEqual([404, 400, 201, 409, 401]);
    expect(await eventsSent()).toEqual([]);
  });

  it("reports the gateway's own 500 with its error id, request id, app and release, and no credential", async () => {
    const requestId = randomUUID();
    jest
      .spyOn(platform.app('gateway').get(BusClient), 'send')
      // A failing dependency may quote what it was given: the scrubbing must catch it.
      .mockRejectedValueOnce(
        new Error(
          `Connection is closed (Authorization: Bearer ${bearer}) at /login?code=${loginCode}`,
        ),
      );

    const res: ApiResponse = await login({ email: 'ada@example.org', requestId });

    expect(res.status).toBe(500);
    const events = await eventsSent();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      release: 'up-club@e2e',
      environment: 'e2e',
      tags: {
        app: 'gateway',
        request_id: requestId,
        error_id: res.json.error_id,
        route: '/api/auth/token',
      },
      contexts: { http: { method: 'POST', url: '/api/auth/token?code=[redacted]' } },
      exception: {
        values: [
          {
            type: 'Error',
            value:
              'Connection is closed (Authorization: Bearer [redacted]) at /login?code=[redacted]',
          },
        ],
      },
    });
    expectNoCredentialSent();
  });

  it("reports a service's INTERNAL once, from the service, under the error id the client sees", async () => {
    const requestId = randomUUID();
    // A broken dependency: the table the users service reads members from is gone.
    const database = new Client({ connectionString: platform.database.url });
    await database.connect();
    await database.query('ALTER TABLE users.members RENAME TO members_away');
    let res: ApiResponse;
    try {
      res = await login({ email: 'ada@example.org', requestId });
    } finally {
      await database.query('ALTER TABLE users.members_away RENAME TO members');
      await database.end();
    }

    expect(res.status).toBe(500);
    const events = await eventsSent();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tags: {
        request_id: requestId,
        error_id: res.json.error_id,
        bus_pattern: 'users.verify_credentials',
      },
      exception: { values: [{ value: expect.stringContaining('"users.members" does not exist') }] },
    });
    expectNoCredentialSent();
  });

  it('tags the trace id when the work is traced (an OpenTelemetry SDK owns the context)', async () => {
    const sdk = new NodeSDK({
      spanProcessors: [new tracing.SimpleSpanProcessor(new tracing.InMemorySpanExporter())],
    });
    sdk.start();
    try {
      const traceId = trace.getTracer('e2e').startActiveSpan('failing work', (span) => {
        captureUnexpected(new Error('traced failure'), { errorId: 'e2e-traced' });
        span.end();
        return span.spanContext().traceId;
      });

      const events = await eventsSent();
      expect(events).toHaveLength(1);
      expect(events[0].tags).toMatchObject({ trace_id: traceId, error_id: 'e2e-traced' });
    } finally {
      await sdk.shutdown();
    }
  });
});
