import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { GatewayConfig } from '../config/gateway.config';

/** Time kept, out of SHUTDOWN_TIMEOUT_SECONDS, for closing the bus and Redis after the drain. */
const RESERVED_FOR_CONNECTIONS_MS = 2_000;

/**
 * Stops the HTTP server first when the gateway stops, before anything its requests use.
 *
 * Nest closes the HTTP adapter only after every module's onModuleDestroy and
 * beforeApplicationShutdown hook, and some of those close what requests need (the rate limiter's
 * Redis storage disconnects in onModuleDestroy). This hook runs first of all: the root module's
 * providers are destroyed before the modules it imports. It closes Fastify, which stops accepting
 * connections, answers requests arriving on open keep-alive connections with 503, and waits for
 * the requests in flight, which can still use the bus, Redis and everything else. The bus client
 * and Redis connections close afterwards, in onApplicationShutdown hooks. Nest's own later close
 * of the adapter finds Fastify closed and does nothing.
 *
 * The wait is bounded: requests still running when most of SHUTDOWN_TIMEOUT_SECONDS is spent
 * have their connections closed, so the connections can still be closed in order before the
 * process-level deadline ends the process.
 */
@Injectable()
export class HttpDrain implements OnModuleDestroy {
  private readonly logger = new Logger(HttpDrain.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: GatewayConfig,
  ) {}

  async onModuleDestroy(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const fastify = adapter.getInstance<FastifyInstance>();
    const timeoutMs = this.config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
    const drainMs = Math.max(timeoutMs - RESERVED_FOR_CONNECTIONS_MS, timeoutMs / 2);
    const deadline = setTimeout(() => {
      this.logger.warn(
        `Requests still in flight after ${drainMs} ms of shutdown: closing their connections`,
      );
      fastify.server.closeAllConnections();
    }, drainMs);
    try {
      await fastify.close();
    } finally {
      clearTimeout(deadline);
    }
  }
}
