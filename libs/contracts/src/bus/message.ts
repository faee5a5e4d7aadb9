/**
 * The typed vocabulary of the bus.
 *
 * A request pattern is a wire name (`<service>.<action>`) that also carries, at compile time only,
 * the request and response types; an event name carries its payload type. Callers and handlers
 * import the same constant, so a call's payload and answer are checked on both sides.
 *
 * WIRE NAMES: the string values are what travels over Redis. Renaming one while old replicas are
 * still running strands their messages; rename only with a migration plan (run both names, then
 * drop the old one).
 */
import { EventAccess, registerEventAccess, registerRequestAccess, RequestAccess } from './access';

declare const requestType: unique symbol;
declare const responseType: unique symbol;
declare const eventType: unique symbol;

export type RequestPattern<TRequest, TResponse> = string & {
  readonly [requestType]?: TRequest;
  readonly [responseType]?: TResponse;
};

export type EventName<TPayload> = string & { readonly [eventType]?: TPayload };

export type RequestOf<P> = P extends RequestPattern<infer R, unknown> ? R : never;
export type ResponseOf<P> = P extends RequestPattern<unknown, infer R> ? R : never;
export type PayloadOf<E> = E extends EventName<infer P> ? P : never;

/**
 * Declares a request pattern; the service segment (before the first dot) names the target, and
 * `access.callers` the parties that may send it (see ./access).
 */
export function requestPattern<TRequest, TResponse>(
  name: `${string}.${string}`,
  access: RequestAccess,
): RequestPattern<TRequest, TResponse> {
  registerRequestAccess(name, access);
  return name;
}

/** Declares an event; `access.publishers` names the parties that may publish it. */
export function eventName<TPayload>(
  name: `${string}.${string}`,
  access: EventAccess,
): EventName<TPayload> {
  registerEventAccess(name, access);
  return name;
}

/** The service that handles a request pattern: the segment before the first dot. */
export function targetServiceOf(pattern: string): string {
  const dot = pattern.indexOf('.');
  if (dot <= 0) {
    throw new Error(`Bus pattern "${pattern}" has no service segment ("<service>.<action>")`);
  }
  return pattern.slice(0, dot);
}
