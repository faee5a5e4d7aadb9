import { healthPattern, SERVICES } from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ReadinessReport } from './readiness.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const OUTBOX_SERVICES = new Set<string>(['users', 'events']);

describe('platform: all five apps in one process', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform();
  }, 60_000);

  afterAll(() => platform?.close());

  it('is ready: Redis and every service answer their health pattern through the gateway', async () => {
    const res = await platform.api.get<ReadinessReport>('/ready');

    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      status: 'ok',
      checks: {
        redis: { status: 'up' },
        users: { status: 'up' },
        'auth-codes': { status: 'up' },
        events: { status: 'up' },
      },
    });
  });

  it.each(SERVICES)(
    '%s answers its health pattern with its database and Redis up',
    async (service) => {
      await expect(platform.bus.send(healthPattern(service), {})).resolves.toEqual({
        status: 'ok',
        service,
        checks: {
          database: { status: 'up' },
          redis: { status: 'up' },
          // The services that publish bus events report their outbox relay's lag too.
          ...(OUTBOX_SERVICES.has(service)
            ? {
                outbox: {
                  status: 'up',
                  message: expect.stringMatching(/^\d+ unsent, oldest \d+ ms$/),
                },
              }
            : {}),
        },
      });
    },
  );

  it('answers /health without checking anything', async () => {
    const res = await platform.api.get('/health');

    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const document = await platform.api.get<{ openapi: string; paths: Record<string, unknown> }>(
      '/docs-json',
    );
    const ui = await platform.api.get('/docs');

    expect(document.status).toBe(200);
    expect(document.json.openapi).toMatch(/^3\./);
    expect(Object.keys(document.json.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('echoes the caller X-Request-Id, and makes one up otherwise', async () => {
    const given = await platform.api.get('/health', { headers: { 'x-request-id': 'trace-42' } });
    const made = await platform.api.get('/health');

    expect(given.headers.get('x-request-id')).toBe('trace-42');
    expect(made.headers.get('x-request-id')).toMatch(UUID);
  });

  it('carries X-Request-Id on errors too', async () => {
    const res = await platform.api.get('/no-such-route', {
      headers: { 'x-request-id': 'trace-404' },
    });

    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('trace-404');
    expect(res.json).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
  });

  it('serves Prometheus metrics with request durations by route and status', async () => {
    await platform.api.get('/health');

    const res = await platform.api.get('/metrics');

    expect(res.status).toBe(200);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} \d+/,
    );
  });

  // Last: it stops a service for good.
  it('answers 503 naming the service that stopped', async () => {
    await platform.app('users').stop();

    const res = await platform.api.get<ReadinessReport & { message: string; failing: string[] }>(
      '/ready',
    );

    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      status: 'error',
      failing: ['users'],
      checks: {
        redis: { status: 'up' },
        users: { status: 'down' },
        'auth-codes': { status: 'up' },
        events: { status: 'up' },
      },
    });
    expect(res.json.message).toContain('users');
  });
});
