import type { FastifyInstance } from 'fastify';

/**
 * Lets a stopping gateway finish in-flight requests and then actually stop. Fastify closes idle
 * keep-alive connections when close() starts, but a connection busy at that moment stays open after
 * its response (until the keep-alive timeout, longer than the shutdown deadline). Responses sent
 * once closing has begun carry `Connection: close`, so each such connection ends with its response.
 */
export function registerGracefulClose(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
