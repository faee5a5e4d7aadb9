import type { IncomingMessage } from 'node:http';
import fastifyFormbody from '@fastify/formbody';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { GatewayConfig } from './config/gateway.config';
import { registerLiveness } from './health/liveness';
import { AccessLog } from './http/access-log';
import { registerApiDocs } from './http/api-docs';
import { CorsPolicy, registerCors } from './http/cors';
import { fastifyOf } from './http/fastify';
import { registerGracefulClose } from './http/graceful-close';
import { registerJsonBodyParser } from './http/json-body';
import { registerRequestContext } from './http/request-context';
import { requestIdOf } from './http/request-id';
import { registerResponseObservers } from './http/response-observers';
import { staticSecurityHeaders } from './http/security-headers';
import { registerTextInputCheck } from './http/text-input';
import { HttpMetrics } from './metrics/http-metrics';

/** Fastify as the gateway runs it: request ids from `X-Request-Id`, proxies trusted per config. */
export function createGatewayAdapter(config: GatewayConfig): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: config.TRUST_PROXY,
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    // No per-request child loggers: the access log is written by one onResponse hook (AccessLog).
    logger: false,
  });
}

/**
 * Options of NestFactory.create for the gateway. Nest's own body parsers are off: Fastify parses
 * JSON itself and @fastify/formbody parses urlencoded forms (registered in configureGateway).
 * abortOnError off: a start-up failure reaches main.ts (logged, exit 1) instead of process.exit.
 */
export const GATEWAY_APP_OPTIONS = {
  bodyParser: false,
  bufferLogs: true,
  abortOnError: false,
} as const;

/**
 * Builds the gateway around its configuration, ready to `listen`: used by main.ts and by the
 * in-process test platform, so both run exactly the same HTTP stack.
 */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createGatewayAdapter(config),
    GATEWAY_APP_OPTIONS,
  );
  await configureGateway(app, config);
  return app;
}

/**
 * The HTTP stack around the routes: request ids, security headers and correlation, metrics, the
 * access log, forms, CORS, OpenAPI and shutdown hooks. Each concern is a Fastify hook doing a
 * little fixed work per request (no Nest middleware, nothing rebuilt per request): the gateway's
 * liveness route answers at a large fraction of a bare Fastify server's rate (npm run bench:api).
 */
export async function configureGateway(
  app: NestFastifyApplication,
  config: GatewayConfig,
): Promise<void> {
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();

  const fastify = fastifyOf(app);
  registerRequestContext(fastify, staticSecurityHeaders());
  registerGracefulClose(fastify);
  registerResponseObservers(fastify, [app.get(HttpMetrics), app.get(AccessLog)]);
  // No Fastify error handler here: Nest installs one that sends Fastify's own failures (a
  // malformed JSON body) through the global ApiExceptionFilter like every other error.

  // JSON bodies nested too deep are refused before any route, validation or transform sees them.
  registerJsonBodyParser(fastify);
  // Text no column can store (NUL, unpaired surrogates) is refused before validation too.
  registerTextInputCheck(fastify);
  // OAuth2 password-grant logins (POST /api/auth/token) come as urlencoded forms.
  await fastify.register(fastifyFormbody);
  // Not app.enableCors() (@fastify/cors): see CorsPolicy.
  registerCors(
    fastify,
    new CorsPolicy({
      origins: config.corsOrigins(),
      exposedHeaders: ['X-Request-Id', 'ETag', 'Retry-After'],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    }),
  );

  registerLiveness(fastify);
  registerApiDocs(app, config);

  if (config.usesDevelopmentJwtSecret()) {
    logger.warn(
      'JWT_SECRET is not set: using the development default. Set JWT_SECRET before exposing this gateway.',
    );
  }
}
