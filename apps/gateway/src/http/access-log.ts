import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { ResponseObserver } from './response-observers';

/** Probes and scrapes every few seconds would drown the access log (matched by route pattern). */
const UNLOGGED_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * The gateway's access log: one line per request, written once the response has been sent
 * (registerResponseObservers), with its request id (`requestId`, the `correlationId` of the
 * request's own log lines), method, URL (credentials in the query string redacted by the logger's
 * `req` serializer), route pattern, client address, status and time taken. Level info, warn for
 * 5xx answers (the exception filter logs an unexpected error once, with its error id). When that
 * level is disabled it costs a level comparison.
 */
@Injectable()
export class AccessLog implements ResponseObserver {
  /** nestjs-pino's app logger itself, read outside any request: no per-request child loggers. */
  private readonly logger: Logger;

  constructor(pino: PinoLogger) {
    this.logger = pino.logger;
  }

  onResponse(request: FastifyRequest, reply: FastifyReply, route: string | undefined): void {
    const level = reply.statusCode >= 500 ? 'warn' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    if (route !== undefined && UNLOGGED_ROUTES.has(route)) return;
    this.logger[level](
      {
        requestId: request.id,
        req: { method: request.method, url: request.url, route, remoteAddress: request.ip },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  }
}
