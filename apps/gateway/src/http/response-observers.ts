import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Something done once per request after its response has been sent (metrics, access log). */
export interface ResponseObserver {
  /** `route` is the matched route pattern (`/api/events/:id`), undefined when none matched. */
  onResponse(request: FastifyRequest, reply: FastifyReply, route: string | undefined): void;
}

/**
 * One `onResponse` hook for all observers. Fastify's `request.routeOptions` builds a new object on
 * every read, so the route pattern is read once here and handed to each observer.
 */
export function registerResponseObservers(
  fastify: FastifyInstance,
  observers: readonly ResponseObserver[],
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    for (const observer of observers) observer.onResponse(request, reply, route);
    done();
  });
}
