import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface CorsOptions {
  /** Allowed origins (`https://host[:port]`), or `['*']` for any origin (then without credentials). */
  origins: readonly string[];
  /** Response headers the browser may show to the frontend's scripts. */
  exposedHeaders: readonly string[];
  /** Methods a preflight allows. */
  methods: readonly string[];
}

/**
 * CORS for a fixed configuration, answering as @fastify/cors does for the same options
 * (`origin` a list or `*`, `credentials` unless `*`, `exposedHeaders`, `methods`, strict
 * preflights answered with 204, requested headers reflected).
 *
 * Hand-written because everything here is known at start-up: @fastify/cors merges its options
 * with the route's on every request, reads the route options twice (Fastify builds that object on
 * each read) and joins the exposed-header list again, which priced it at a sizeable share of the
 * gateway's per-request budget in `npm run bench:api`. Here a request costs a lookup of its
 * Origin and a few header writes.
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly allowed: ReadonlySet<string>;
  private readonly exposedHeaders: string;
  private readonly methods: string;

  constructor(options: CorsOptions) {
    this.anyOrigin = options.origins.includes('*');
    this.allowed = new Set(options.origins);
    this.exposedHeaders = options.exposedHeaders.join(', ');
    this.methods = options.methods.join(', ');
  }

  /** Adds the CORS headers; answers a preflight itself. Returns whether the request was answered. */
  apply(request: FastifyRequest, reply: FastifyReply): boolean {
    const origin = request.headers.origin;
    if (this.anyOrigin) {
      void reply.header('access-control-allow-origin', '*');
    } else {
      // The answer depends on Origin, so caches must keep one copy per Origin.
      void reply.header('vary', 'Origin');
      if (origin !== undefined && this.allowed.has(origin)) {
        void reply.header('access-control-allow-origin', origin);
      }
      void reply.header('access-control-allow-credentials', 'true');
    }
    void reply.header('access-control-expose-headers', this.exposedHeaders);
    if (request.method !== 'OPTIONS') return false;

    const requestedMethod = request.headers['access-control-request-method'];
    if (!origin || !requestedMethod) {
      void reply.code(400).type('text/plain').send('Invalid Preflight Request');
      return true;
    }
    void reply.header('access-control-allow-methods', this.methods);
    void reply.header(
      'vary',
      this.anyOrigin ? 'Access-Control-Request-Headers' : 'Origin, Access-Control-Request-Headers',
    );
    const requestedHeaders = request.headers['access-control-request-headers'];
    if (requestedHeaders !== undefined) {
      void reply.header('access-control-allow-headers', requestedHeaders);
    }
    // Safari waits for a body on a 204 without Content-Length.
    void reply.code(204).header('content-length', '0').send();
    return true;
  }
}

/**
 * Applies `policy` first thing in every request (`onRequest`), so that preflights are answered
 * before authentication and errors carry the CORS headers too. The `OPTIONS *` route lets
 * preflights for any path reach the hook as a matched route.
 */
export function registerCors(fastify: FastifyInstance, policy: CorsPolicy): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!policy.apply(request, reply)) done();
  });
  fastify.options('*', (_request, reply) => {
    // Only reached if the hook did not answer, which it always does for OPTIONS.
    void reply.callNotFound();
  });
}
