import { setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, Get, INestMicroservice, Module, Post } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsEmail, MinLength } from 'class-validator';
import { BusClient, createBusMicroservice } from '@up/bus';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import { DomainError, ErrorCode, requestPattern } from '@up/contracts';
import { Correlation } from '@up/logging';
import { ApiClient, apiClient, createTestRedisSpace, TestRedisSpace } from '@up/testing';
import { AppModule } from '../app.module';
import { configureGateway, createGatewayAdapter, GATEWAY_APP_OPTIONS } from '../bootstrap';
import { GatewayConfig } from '../config/gateway.config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class SignInProbeDto {
  @IsEmail()
  email!: string;

  @MinLength(8)
  password!: string;
}

/** A bus service that answers with the correlation id its handler runs under. */
const PROBE_CORRELATION = requestPattern<object, { correlationId?: string }>('probe.correlation', {
  callers: ['gateway'],
});
const PROBE_FULL = requestPattern<object, never>('probe.full', { callers: ['gateway'] });
/** Answers after a second: a call still waiting for its reply when the gateway is told to stop. */
const PROBE_SLOW = requestPattern<object, { correlationId?: string }>('probe.slow', {
  callers: ['gateway'],
});
/** No service named `absent` runs: calls to it time out. */
const ABSENT = requestPattern<object, never>('absent.anything', { callers: ['gateway'] });

@Controller()
class ProbeServiceController {
  @MessagePattern(PROBE_CORRELATION)
  correlation(): { correlationId?: string } {
    return { correlationId: Correlation.id() };
  }

  @MessagePattern(PROBE_SLOW)
  async slow(): Promise<{ correlationId?: string }> {
    await sleep(1_000);
    return { correlationId: Correlation.id() };
  }

  @MessagePattern(PROBE_FULL)
  full(): never {
    throw new DomainError(ErrorCode.EVENT_FULL, 'No seats left');
  }
}

/** Routes that show what a feature controller sees of the request context. */
@Controller('probe')
class ProbeController {
  constructor(private readonly bus: BusClient) {}

  @Get('over-the-bus')
  overTheBus(): Promise<{ correlationId?: string }> {
    return this.bus.send(PROBE_CORRELATION, {});
  }

  @Get('full')
  full(): Promise<never> {
    return this.bus.send(PROBE_FULL, {});
  }

  @Get('absent')
  absent(): Promise<never> {
    return this.bus.send(ABSENT, {}, { timeoutMs: 300 });
  }

  @Get('correlation')
  async correlation(): Promise<{ correlationId?: string }> {
    await sleep(5);
    return { correlationId: Correlation.id() };
  }

  @Post('json')
  json(@Body() body: SignInProbeDto): { correlationId?: string; body: SignInProbeDto } {
    return { correlationId: Correlation.id(), body };
  }

  @Post('form')
  form(@Body() body: Record<string, string>): { body: Record<string, string> } {
    return { body };
  }

  @Get('boom')
  boom(): never {
    throw new TypeError('a bug');
  }

  /** Work still in progress when the gateway is told to stop, that then needs the bus. */
  @Get('slow')
  async slow(): Promise<{ correlationId?: string }> {
    await sleep(300);
    return this.bus.send(PROBE_CORRELATION, {});
  }

  /** A request that would outlast any shutdown deadline. */
  @Get('hang')
  async hang(): Promise<{ done: true }> {
    await sleep(30_000, undefined, { ref: false });
    return { done: true };
  }

  /** A bus call already waiting for its reply when the gateway is told to stop. */
  @Get('slow-bus')
  slowBus(): Promise<{ correlationId?: string }> {
    return this.bus.send(PROBE_SLOW, {});
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/** The gateway's real HTTP stack and AppModule, plus the probe routes. */
async function startProbeGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), ProbeModule],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createGatewayAdapter(config),
    GATEWAY_APP_OPTIONS,
  );
  await configureGateway(app, config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

describe('gateway request context', () => {
  let redis: TestRedisSpace;
  let config: GatewayConfig;
  let app: NestFastifyApplication;
  let service: INestMicroservice;
  let api: ApiClient;

  beforeAll(async () => {
    redis = createTestRedisSpace();
    config = loadConfig(GatewayConfig, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
    });
    app = await startProbeGateway(config);
    api = apiClient(await app.getUrl());

    @Module({
      imports: [ConfigModule.forRoot(CommonEnv, config)],
      controllers: [ProbeServiceController],
    })
    class ProbeServiceModule {}
    service = await createBusMicroservice(ProbeServiceModule, { service: 'probe' });
    await service.listen();
  });

  afterAll(async () => {
    await app?.close();
    await service?.close();
    await redis?.clear();
  });

  it("answers with the caller's X-Request-Id and works under it as the correlation id", async () => {
    const res = await api.get('/probe/correlation', { headers: { 'x-request-id': 'req-7f3a' } });

    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-7f3a');
    expect(res.json).toEqual({ correlationId: 'req-7f3a' });
  });

  it('sends the request id over the bus: the service handles the call under it', async () => {
    const res = await api.get('/probe/over-the-bus', { headers: { 'x-request-id': 'req-bus-1' } });

    expect(res.status).toBe(200);
    expect(res.json).toEqual({ correlationId: 'req-bus-1' });
  });

  it("answers a service's expected error with its status, never 500", async () => {
    const res = await api.get('/probe/full');

    expect(res.status).toBe(409);
    expect(res.json).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'No seats left',
      detail: 'No seats left',
      code: 'EVENT_FULL',
    });
  });

  it('answers 503 when a service does not answer in time', async () => {
    const res = await api.get('/probe/absent');

    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('makes up a UUID when the caller sent none, and uses it for both', async () => {
    const res = await api.get('/probe/correlation');

    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(res.json).toEqual({ correlationId: id });
  });

  it.each(['has spaces in it', 'x'.repeat(129), 'new\\nline'])(
    'replaces an unusable X-Request-Id (%j) with a UUID',
    async (given) => {
      const res = await api.get('/probe/correlation', { headers: { 'x-request-id': given } });

      expect(res.headers.get('x-request-id')).toMatch(UUID);
    },
  );

  it('keeps the correlation id through a JSON body being parsed', async () => {
    const res = await api.post('/probe/json', {
      headers: { 'x-request-id': 'req-json' },
      body: { email: 'ann@club.example', password: 'long enough', role: 'admin' },
    });

    expect(res.status).toBe(201);
    // Unknown properties (role) are stripped by the global ValidationPipe.
    expect(res.json).toEqual({
      correlationId: 'req-json',
      body: { email: 'ann@club.example', password: 'long enough' },
    });
  });

  it('parses urlencoded forms (OAuth2 password logins)', async () => {
    const res = await api.post('/probe/form', {
      form: { username: 'ann@club.example', password: 'pw' },
    });

    expect(res.status).toBe(201);
    expect(res.json).toEqual({ body: { username: 'ann@club.example', password: 'pw' } });
  });

  it('answers a body that fails validation with 400 and the failing fields', async () => {
    const res = await api.post('/probe/json', {
      headers: { 'x-request-id': 'req-invalid' },
      body: { email: 'nope', password: 'short' },
    });

    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('req-invalid');
    expect(res.json).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('email must be an email'),
      detail: expect.stringContaining('email must be an email'),
      code: 'VALIDATION_FAILED',
      fields: {
        email: ['email must be an email'],
        password: ['password must be longer than or equal to 8 characters'],
      },
    });
  });

  it('answers malformed JSON with 400 in the same error body', async () => {
    const res = await fetch(`${api.baseUrl}/probe/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-malformed' },
      body: '{"email": ',
    });

    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('req-malformed');
    expect(await res.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('JSON'),
      detail: expect.stringContaining('JSON'),
    });
  });

  it('puts the security and CORS headers on every answer, errors included', async () => {
    const origin = new URL(config.WEB_APP_URL).origin;

    const answers = await Promise.all([
      api.get('/probe/correlation', { headers: { origin } }),
      api.get('/probe/boom', { headers: { origin } }),
      api.get('/no-such-route', { headers: { origin } }),
      api.get('/health', { headers: { origin } }),
    ]);

    expect(answers.map((res) => res.status)).toEqual([200, 500, 404, 200]);
    for (const res of answers) {
      expect(res.headers.get('content-security-policy')).toContain(`default-src 'self'`);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('answers an unexpected failure with 500 and an error id, not the error message', async () => {
    const res = await api.get<{ error_id: string; message: string }>('/probe/boom');

    expect(res.status).toBe(500);
    expect(res.json.error_id).toMatch(UUID);
    expect(res.json.message).not.toContain('a bug');
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('finishes a request in flight when it is stopped, and then refuses new ones', async () => {
    const stopping = await startProbeGateway(config);
    const url = await stopping.getUrl();
    const inFlight = apiClient(url).get('/probe/slow', {
      headers: { 'x-request-id': 'req-drain' },
    });
    await sleep(100);

    // Within the shutdown deadline, not when a kept-alive connection finally times out.
    const closed = await Promise.race([
      stopping.close().then(() => 'closed'),
      sleep(5_000, 'still open after 5 s', { ref: false }),
    ]);

    expect(closed).toBe('closed');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ correlationId: 'req-drain' });
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('lets a bus call in flight be answered before it closes the bus client', async () => {
    const stopping = await startProbeGateway(config);
    const inFlight = apiClient(await stopping.getUrl()).get('/probe/slow-bus', {
      headers: { 'x-request-id': 'req-slow-bus' },
    });
    // The call is on the bus, waiting for the service's answer (1 s), when close() starts.
    await sleep(200);

    const closed = await Promise.race([
      stopping.close().then(() => 'closed'),
      sleep(5_000, 'still open after 5 s', { ref: false }),
    ]);

    expect(closed).toBe('closed');
    // Not 500 "Bus client closed before probe.slow was answered".
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ correlationId: 'req-slow-bus' });
  });

  it('stops waiting for requests that outlast the shutdown deadline, and still closes', async () => {
    // SHUTDOWN_TIMEOUT_SECONDS=1: requests get half of it, the connections the rest.
    const stopping = await startProbeGateway(
      Object.assign(Object.create(GatewayConfig.prototype) as GatewayConfig, config, {
        SHUTDOWN_TIMEOUT_SECONDS: 1,
      }),
    );
    const hanging = fetch(`${await stopping.getUrl()}/probe/hang`);
    hanging.catch(() => undefined);
    await sleep(100);
    const started = Date.now();

    await stopping.close();

    expect(Date.now() - started).toBeLessThan(2_000);
    // Its connection was closed under it: no answer at all rather than a process killed later.
    await expect(hanging).rejects.toThrow('fetch failed');
  });
});
