import { subscribe } from 'node:diagnostics_channel';
import type { IncomingHttpHeaders } from 'node:http';

/** The instrumentation scope of the HTTP server spans. */
export const HTTP_SERVER_SCOPE = '@up/observability/http-server';

/**
 * Paths that probes and scrapers hit every few seconds (the gateway's `/health`, `/ready` and
 * `/metrics`, the ops port's `/health/live`, `/health/ready` and `/metrics`): a trace each would
 * only be noise, and a load balancer's health checks would pay for it.
 */
const UNTRACED_PATHS = ['/health', '/ready', '/metrics'];

/** `/health`, `/health/live`, `/metrics?x`: a path of UNTRACED_PATHS or below one. */
export function isUntracedPath(url: string | undefined): boolean {
  if (!url) return false;
  return UNTRACED_PATHS.some(
    (path) =>
      url.startsWith(path) &&
      (url.length === path.length || url[path.length] === '/' || url[path.length] === '?'),
  );
}

/** What this file uses of a Fastify request, reply and instance. */
interface TracedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  routeOptions?: { url?: string };
}
type Hook = (request: TracedRequest, reply: { statusCode: number }, done: () => void) => void;
interface FastifyHooks {
  addHook(name: 'onRequest' | 'onResponse', hook: Hook): unknown;
}

let subscribed = false;

/**
 * One SERVER span per HTTP request of every Fastify app, named by its route
 * (`POST /api/v1/events/:id/join`), continuing the caller's W3C trace context, ended with the
 * status code; the probes' and scrapers' paths (isUntracedPath) get none. Two hooks on each
 * Fastify instance, added as it is created (it announces itself on the `fastify.initialization`
 * diagnostics channel, before any plugin or route): the first `onRequest` hook starts the span and
 * runs the rest of the request in its context, so the bus calls and SQL of the handler are its
 * children.
 *
 * Written here rather than taken from @opentelemetry/instrumentation-http (incoming side) and
 * @fastify/otel: together they made three spans per request (server, request, handler), and the
 * HTTP one also bound every request's and response's event emitters to the context and read a
 * dozen attributes from the socket and headers, all of which cost more than the request itself
 * on the light routes. The attributes kept are the ones a trace is searched by.
 */
export function traceFastifyRequests(): void {
  if (subscribed) return;
  subscribed = true;
  const { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } =
    require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const tracer = trace.getTracer(HTTP_SERVER_SCOPE);
  const spans = new WeakMap<TracedRequest, import('@opentelemetry/api').Span>();

  const start: Hook = (request, _reply, done) => {
    if (isUntracedPath(request.url)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions?.url;
    const query = request.url.indexOf('?');
    const span = tracer.startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          // Without the query, which may carry what the logs redact too.
          'url.path': query < 0 ? request.url : request.url.slice(0, query),
          ...(route ? { 'http.route': route } : {}),
        },
      },
      parent,
    );
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  };

  const end: Hook = (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  };

  subscribe('fastify.initialization', (message) => {
    const { fastify } = message as { fastify?: FastifyHooks };
    fastify?.addHook('onRequest', start);
    fastify?.addHook('onResponse', end);
  });
}
