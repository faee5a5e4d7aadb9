import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { requestIdOf } from './request-id';

/** Probes and scrapes every few seconds would drown the access log. */
const UNLOGGED_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * pino-http access log of the gateway: one line per request, with its request id (`requestId`,
 * equal to the `correlationId` that the gateway's own log lines carry).
 */
export function httpLoggingOptions(): Options {
  return {
    autoLogging: {
      // Nest's middleware layer (middie) may rewrite req.url; originalUrl is what the client sent.
      ignore: (req: IncomingMessage & { originalUrl?: string }) =>
        UNLOGGED_PATHS.has((req.originalUrl ?? req.url ?? '').split('?')[0]),
    },
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // Correlation ids come from the mixin inside a request; the access line has requestId.
    customProps: () => ({}),
    // An unexpected error is logged once, with its error id, by the exception filter.
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'warn' : 'info',
  };
}
