import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/**
 * The gateway's Fastify instance, typed with the workspace's `fastify` package like the
 * @fastify/* plugins are. Nest's adapter pins its own copy of fastify 5 whose type declarations
 * differ by a minor version (they are the same runtime API), so the two instance types do not
 * unify; this is the one place that bridges them.
 */
export function fastifyOf(app: NestFastifyApplication): FastifyInstance {
  return app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
}
