import type { FastifyInstance } from 'fastify';

export const LIVENESS_PATH = '/health';

/** `{status: "ok"}`, encoded once. */
const ALIVE = JSON.stringify({ status: 'ok' });

/**
 * Liveness (`GET /health`, and HEAD): the process answers, no dependency is checked, so an outage
 * of Redis or a service restarts nothing. A route of Fastify itself rather than of a Nest
 * controller: probes call it every few seconds and it needs none of Nest's guards, pipes or
 * filters, only what the gateway's Fastify hooks put on every answer (request id, security and
 * CORS headers, metrics), which it gets like any other route.
 */
export function registerLiveness(fastify: FastifyInstance): void {
  fastify.get(LIVENESS_PATH, (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(ALIVE),
  );
}

/** Its entry in the OpenAPI document, as it was when a Nest controller served the route. */
export const LIVENESS_OPENAPI = {
  get: {
    operationId: 'HealthController_health',
    parameters: [],
    responses: { '200': { description: 'The process is running' } },
    tags: ['operations'],
  },
};
