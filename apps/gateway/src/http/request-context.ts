import type { FastifyInstance } from 'fastify';
import { Correlation } from '@up/logging';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Every response carries `X-Request-Id` and the security headers, and the request's work runs
 * with the request id as its correlation id, so it travels in every bus message the request sends.
 *
 * The headers are set in one `onRequest` hook, so that even answers produced before routing (404s,
 * body parsing errors) carry them. `securityHeaders` is a fixed set computed once (see
 * security-headers.ts). The correlation scope starts at `preHandler`, the last hook before the
 * route handler (Nest's guards, pipes, interceptors and controller): an AsyncLocalStorage scope
 * opened in `onRequest` would not survive body parsing, whose callbacks run in the socket's async
 * context.
 */
export function registerRequestContext(
  fastify: FastifyInstance,
  securityHeaders: Readonly<Record<string, string>>,
): void {
  const names = Object.keys(securityHeaders);
  const values = names.map((name) => securityHeaders[name]);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    for (let i = 0; i < names.length; i++) reply.header(names[i], values[i]);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    Correlation.run(request.id, done);
  });
}
