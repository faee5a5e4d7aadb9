import type { FastifyInstance } from 'fastify';
import { Correlation } from '@up/logging';
import { REQUEST_ID_HEADER } from './request-id';

/**
 * Every response carries `X-Request-Id`, and the request's work runs with that id as its
 * correlation id, so it travels in every bus message the request sends.
 *
 * The header is set on `onRequest` so that even answers produced before routing (404s, body
 * parsing errors) carry it. The correlation scope starts at `preHandler`, the last hook before the
 * route handler (Nest's guards, pipes, interceptors and controller): an AsyncLocalStorage scope
 * opened in `onRequest` would not survive body parsing, whose callbacks run in the socket's
 * async context.
 */
export function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    Correlation.run(request.id, done);
  });
}
