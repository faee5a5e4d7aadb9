import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  INestApplicationContext,
  Injectable,
  Logger,
  OnApplicationShutdown,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { register } from 'prom-client';
import { ServiceHealth } from '../service-health';
import { ensureDefaultMetrics } from './default-metrics';
import { EventLoopHealthIndicator } from './event-loop.indicator';

/** What readiness asks of the app's bus consumer (RedisStreamsServer has it). */
export interface BusConsumerState {
  readonly consuming: boolean;
}

export interface OpsServerOptions {
  /** OPS_PORT (0: any free port, as tests use). */
  port: number;
  /** OPS_HOST. */
  host: string;
  /** The app's bus server, when it consumes from the bus: readiness requires its loop to run. */
  bus?: BusConsumerState;
}

export const OPS_PATHS = {
  live: '/health/live',
  ready: '/health/ready',
  metrics: '/metrics',
} as const;

/**
 * The ops port of an app: liveness, readiness and Prometheus metrics, and nothing else, on a plain
 * Node HTTP server of its own. Not a second Nest/Fastify app: three fixed routes need no router,
 * and keeping them off the app's own HTTP stack means business traffic (and its rate limits,
 * access log and metrics) never mixes with probes and scrapes, and the bus services, which open no
 * port at all, get one without becoming HTTP apps.
 *
 * - `GET /health/live`: the process and its event loop answer (EventLoopHealthIndicator). No
 *   dependency is checked, so an outage of Redis or PostgreSQL restarts nothing.
 * - `GET /health/ready`: this replica's own checks (ServiceHealth: Redis, PostgreSQL when it has
 *   one, the outbox relay and anything else under SERVICE_HEALTH_CHECKS) and its bus consumer
 *   loop; 503 with the failing checks named under `error`, Terminus's body.
 * - `GET /metrics`: prom-client's registry in the Prometheus text format.
 */
@Injectable()
export class OpsServer implements OnApplicationShutdown {
  private readonly logger = new Logger('Ops');
  private server?: Server;
  private bus?: BusConsumerState;
  /** The failing checks last reported, so an outage is logged once, not on every probe. */
  private lastFailing = '';

  constructor(
    private readonly health: HealthCheckService,
    private readonly serviceHealth: ServiceHealth,
    private readonly eventLoop: EventLoopHealthIndicator,
    private readonly indicators: HealthIndicatorService,
  ) {}

  /** Starts serving; answers the URL it listens on. */
  async listen(options: OpsServerOptions): Promise<string> {
    if (this.server) throw new Error('The ops server is listening already');
    ensureDefaultMetrics();
    this.bus = options.bus;
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.error({ err: error }, 'ops request failed');
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    // A probe or a scrape is one request per connection at most every few seconds.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port, host: options.host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.logger.log(`ops port listening on ${url} (${Object.values(OPS_PATHS).join(', ')})`);
    return url;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.eventLoop.check()]);
  }

  ready(): Promise<HealthCheckResult> {
    const checks = [() => this.ownChecks()];
    const bus = this.bus;
    if (bus) {
      checks.push(async () => {
        const check = this.indicators.check('bus');
        return bus.consuming
          ? check.up()
          : check.down({ message: 'the bus consumer loop is not running' });
      });
    }
    return this.health.check(checks);
  }

  private async ownChecks(): Promise<HealthIndicatorResult> {
    const result: HealthIndicatorResult = {};
    for (const [name, { status, message }] of Object.entries(await this.serviceHealth.checks())) {
      result[name] = { status, ...(message === undefined ? {} : { message }) };
    }
    return result;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case OPS_PATHS.live:
        return this.sendHealth(response, () => this.live(), false);
      case OPS_PATHS.ready:
        return this.sendHealth(response, () => this.ready(), true);
      case OPS_PATHS.metrics: {
        const text = await register.metrics();
        response.writeHead(200, { 'content-type': register.contentType }).end(text);
        return;
      }
      default:
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: `Not found: ${path}` }));
    }
  }

  private async sendHealth(
    response: ServerResponse,
    run: () => Promise<HealthCheckResult>,
    readiness: boolean,
  ): Promise<void> {
    let status = 200;
    let body: unknown;
    try {
      body = await run();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      status = 503;
      body = error.getResponse();
    }
    if (readiness) this.logTransition(body as HealthCheckResult);
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  }

  private logTransition(result: HealthCheckResult): void {
    const failing = Object.entries(result.error ?? {});
    // By names only: messages carry changing figures (the outbox's age).
    const names = failing.map(([name]) => name).join(', ');
    if (names === this.lastFailing) return;
    if (names) {
      const described = failing.map(([name, check]) =>
        typeof check?.message === 'string' ? `${name} (${check.message})` : name,
      );
      this.logger.warn(`not ready: ${described.join(', ')}`);
    } else {
      this.logger.log('ready again');
    }
    this.lastFailing = names;
  }
}

/**
 * Starts the ops port of a created app (main.ts, and the test platform for each app it boots);
 * it closes with the app.
 */
export function startOpsServer(
  app: INestApplicationContext,
  options: OpsServerOptions,
): Promise<string> {
  return app.get(OpsServer, { strict: false }).listen(options);
}
