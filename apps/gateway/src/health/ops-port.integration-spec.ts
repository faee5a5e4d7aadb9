import { busServerOf } from '@up/bus';
import { startOpsServer } from '@up/health';
import { freePort, Platform, PlatformApp, RedisProcess, startPlatform } from '@up/testing';
import { INestMicroservice } from '@nestjs/common';

interface HealthBody {
  status: string;
  info?: Record<string, { status: string; message?: string }>;
  error?: Record<string, { status: string; message?: string }>;
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, text: await response.text() };
}

async function health(url: string): Promise<{ status: number; body: HealthBody }> {
  const { status, text } = await get(url);
  return { status, body: JSON.parse(text) as HealthBody };
}

/** Retries `probe` until it answers `status` (Redis reconnects in the background). */
async function until(
  probe: () => Promise<{ status: number }>,
  status: number,
): Promise<{ status: number }> {
  for (let attempt = 0; ; attempt++) {
    const result = await probe();
    if (result.status === status || attempt >= 100) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The ops port as main.ts starts it, for a bus service (users) and for the gateway: liveness,
 * readiness naming what fails, and metrics after real traffic. Redis is a process of the test's
 * own, so the test can stop it.
 */
describe('ops port', () => {
  let redis: RedisProcess;
  let platform: Platform;
  let redisStopped = false;
  const opsUrl = new Map<string, string>();

  async function startOps(app: PlatformApp): Promise<void> {
    const bus = app.name === 'gateway' ? undefined : busServerOf(app.nest as INestMicroservice);
    opsUrl.set(app.name, await startOpsServer(app.nest, { port: 0, host: '127.0.0.1', bus }));
  }

  beforeAll(async () => {
    redis = new RedisProcess(await freePort());
    await redis.start();
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes', 'bot'],
      env: { REDIS_URL: redis.url },
      telegram: {},
    });
    for (const name of ['users', 'gateway', 'bot'] as const) await startOps(platform.app(name));
  }, 60_000);

  afterAll(async () => {
    // Whatever a failed test left, the platform closes against a running Redis.
    if (redisStopped) await redis.start();
    await platform?.close();
    await redis?.kill();
  });

  const url = (app: string, path: string) => `${opsUrl.get(app)}${path}`;

  it.each(['users', 'gateway', 'bot'])('%s answers /health/live', async (app) => {
    const sut = await health(url(app, '/health/live'));

    expect(sut.status).toBe(200);
    expect(sut.body).toMatchObject({ status: 'ok', info: { event_loop: { status: 'up' } } });
  });

  it('is ready when its consumer loop, PostgreSQL, Redis and the outbox relay are (users)', async () => {
    const sut = await health(url('users', '/health/ready'));

    expect(sut.status).toBe(200);
    expect(Object.keys(sut.body.info ?? {}).sort()).toEqual(['bus', 'database', 'outbox', 'redis']);
  });

  it('is ready with its own Redis, not by asking the services (gateway)', async () => {
    const sut = await health(url('gateway', '/health/ready'));

    expect(sut.status).toBe(200);
    expect(sut.body.info).toEqual({ redis: { status: 'up' } });
  });

  it('is ready when its consumer loop and Redis are (bot)', async () => {
    const sut = await health(url('bot', '/health/ready'));

    expect(sut.status).toBe(200);
    expect(sut.body.info).toMatchObject({ bus: { status: 'up' }, redis: { status: 'up' } });
  });

  it('exports whether the bot receives updates (the poller holding the lease)', async () => {
    const bot = (await get(url('bot', '/metrics'))).text;
    expect(bot).toMatch(/^bot_update_receiver_active\{mode="polling"\} 1$/m);
    expect(bot).toMatch(/^bus_group_lag_messages\{service="bot",stream="\S+"\} \d+$/m);
  });

  it('serves only its own routes', async () => {
    await expect(get(url('gateway', '/api/v1/events/upcoming'))).resolves.toMatchObject({
      status: 404,
    });
  });

  it('exports the bus, outbox, sign-in and process metrics after traffic', async () => {
    const member = {
      email: 'ops@example.com',
      password: 'correct horse battery',
      full_name: 'Ops',
    };
    expect((await platform.api.post('/api/auth/register', { body: member })).status).toBe(201);
    const wrong = { email: member.email, password: 'not the password' };
    expect((await platform.api.post('/api/auth/token', { body: wrong })).status).toBe(401);

    const users = (await get(url('users', '/metrics'))).text;
    expect(users).toMatch(
      /^bus_messages_handled_total\{service="users",pattern="users\.register",outcome="ok"\} 1$/m,
    );
    expect(users).toMatch(
      /^bus_messages_handled_total\{service="users",pattern="users\.verify_credentials",outcome="domain_error"\} 1$/m,
    );
    expect(users).toMatch(
      /^bus_handler_duration_seconds_count\{service="users",pattern="users\.register"\} 1$/m,
    );
    expect(users).toMatch(/^bus_group_pending_messages\{service="users",stream="req:users"\} 0$/m);
    expect(users).toMatch(/^bus_group_lag_messages\{service="users",stream="req:users"\} \d+$/m);
    expect(users).toMatch(/^bus_messages_in_flight\{service="users"\} \d+$/m);
    expect(users).toMatch(/^outbox_unsent_messages\{schema="users"\} \d+$/m);
    expect(users).toMatch(/^outbox_oldest_unsent_age_seconds\{schema="users"\} [\d.e+-]+$/m);
    expect(users).toMatch(/^nodejs_eventloop_lag_p99_seconds \S+$/m);

    const gateway = (await get(url('gateway', '/metrics'))).text;
    expect(gateway).toMatch(/^auth_sign_ins_total\{method="register",outcome="ok"\} 1$/m);
    expect(gateway).toMatch(/^auth_sign_ins_total\{method="password",outcome="rejected"\} 1$/m);
    expect(gateway).toMatch(
      /^http_request_duration_seconds_count\{.*route="\/api\/auth\/register"/m,
    );
  });

  it('answers 503 naming Redis while Redis is down, and 200 again once it is back', async () => {
    await redis.kill();
    redisStopped = true;

    const users = await until(() => health(url('users', '/health/ready')), 503);
    const gateway = await until(() => health(url('gateway', '/health/ready')), 503);
    const bot = await until(() => health(url('bot', '/health/ready')), 503);
    const live = await health(url('users', '/health/live'));

    expect(users).toMatchObject({
      status: 503,
      body: { status: 'error', error: { redis: { status: 'down' } } },
    });
    expect(gateway).toMatchObject({
      status: 503,
      body: { status: 'error', error: { redis: { status: 'down' } } },
    });
    expect(bot).toMatchObject({ status: 503, body: { error: { redis: { status: 'down' } } } });
    // Liveness checks no dependency: a Redis outage restarts nothing.
    expect(live.status).toBe(200);

    await redis.start();
    redisStopped = false;
    await expect(until(() => health(url('users', '/health/ready')), 200)).resolves.toMatchObject({
      status: 200,
    });
  }, 30_000);
});
