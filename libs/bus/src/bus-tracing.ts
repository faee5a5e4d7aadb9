import {
  Context,
  context,
  isSpanContextValid,
  Link,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { errorPayloadOf, isBusErrorPayload } from '@up/contracts';

/**
 * Trace context across the bus. Nest's microservice transports are not instrumented by
 * OpenTelemetry (opentelemetry-js-contrib#3563), so the transport carries it: every request and
 * event envelope holds the W3C `traceparent`/`tracestate` of the span that sent it, and the
 * server continues from there. Written against @opentelemetry/api only: without an SDK started
 * (libs/observability) every call here is the API's no-op, the carrier stays empty and the envelope
 * carries nothing more.
 *
 * - a request: a CLIENT span on the caller around the call (reply or timeout), a SERVER span on
 *   the handling replica as its child: one trace from the gateway to the last service.
 * - an event: a PRODUCER span where it is emitted (for the outbox, in the transaction that wrote
 *   the row; the row keeps its context, and the relay's publish carries it), and on each consumer
 *   a CONSUMER span that starts a trace of its own with a link to the producer: an event is
 *   handled later, maybe much later and more than once, by services the producer never waited for.
 */
const tracer = trace.getTracer('@up/bus');

/** Where the trace context travels: the W3C header names, as the propagator writes them. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

const MESSAGING_SYSTEM = 'redis_streams';

/** The context of `ctx` (default: the active one) as W3C fields; empty without an SDK or a span. */
export function traceCarrierOf(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** A CLIENT span for a bus request; `end` takes its outcome. */
export function startRequestSpan(args: { pattern: string; stream: string }): {
  span: Span;
  carrier: TraceCarrier;
  /** Runs `fn` with the span active (the XADD's own span, if ioredis is traced, is its child). */
  within: <T>(fn: () => T) => T;
} {
  const span = tracer.startSpan(`send ${args.pattern}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.destination.name': args.stream,
      'bus.pattern': args.pattern,
    },
  });
  if (!isTraced(span)) return { span, carrier: {}, within: runAsIs };
  const ctx = trace.setSpan(context.active(), span);
  return { span, carrier: traceCarrierOf(ctx), within: (fn) => context.with(ctx, fn) };
}

/**
 * Whether a span belongs to a tracer that traces. The API without an SDK hands out spans with an
 * invalid context (all-zero ids) and an SDK never does (it makes ids for spans it samples out
 * too), so an invalid span means no SDK: making it active, and injecting or extracting its
 * context, would all be no-ops, and skipping them saves a context object and a closure per message.
 */
function isTraced(span: Span): boolean {
  return isSpanContextValid(span.spanContext());
}

function runAsIs<T>(fn: () => T): T {
  return fn();
}

/** A PRODUCER span for one event, ended at once (the send is an XADD or an outbox row). */
export function producerContextOf(args: { pattern: string; eventId: string }): TraceCarrier {
  const span = tracer.startSpan(`publish ${args.pattern}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.destination.name': args.pattern,
      'messaging.message.id': args.eventId,
      'bus.pattern': args.pattern,
    },
  });
  span.end();
  return traceCarrierOf(trace.setSpan(context.active(), span));
}

/** Marks a span by how a bus call or handler ended: domain errors (4xx) are answers, not faults. */
export function endSpanWith(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const payload = errorPayloadOf(error) ?? (isBusErrorPayload(error) ? error : undefined);
    if (payload) span.setAttribute('bus.error_code', payload.code);
    if (!payload || payload.status >= 500) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: payload?.code ?? (error instanceof Error ? error.message : String(error)),
      });
    }
  }
  span.end();
}

/**
 * Runs a handler in a consumer span: a SERVER child of the caller's span for a request, a
 * CONSUMER span linked to the producer's for an event. `bus.service` names the app that handled
 * it (in a test that boots every app in one process, the resource cannot).
 */
export function withConsumerSpan<T>(
  args: {
    kind: 'request' | 'event';
    pattern: string;
    service: string;
    stream: string;
    messageId: string;
    deliveries: number;
    carrier: TraceCarrier;
  },
  handle: () => Promise<T>,
): Promise<T> {
  const sent = args.carrier.traceparent
    ? propagation.extract(ROOT_CONTEXT, args.carrier)
    : ROOT_CONTEXT;
  const links: Link[] = [];
  const producer = trace.getSpanContext(sent);
  if (args.kind === 'event' && producer) links.push({ context: producer });
  const span = tracer.startSpan(
    `process ${args.pattern}`,
    {
      kind: args.kind === 'request' ? SpanKind.SERVER : SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.system': MESSAGING_SYSTEM,
        'messaging.operation.type': 'process',
        'messaging.destination.name': args.stream,
        'messaging.consumer.group.name': args.service,
        'messaging.message.id': args.messageId,
        'messaging.message.delivery_count': args.deliveries,
        'bus.pattern': args.pattern,
        'bus.service': args.service,
      },
    },
    args.kind === 'request' ? sent : ROOT_CONTEXT,
  );
  // No SDK: nothing to make active (see isTraced); the span's end is a no-op too.
  if (!isTraced(span)) return handle();
  return context.with(trace.setSpan(ROOT_CONTEXT, span), handle).then(
    (result) => {
      endSpanWith(span);
      return result;
    },
    (error: unknown) => {
      endSpanWith(span, error);
      throw error;
    },
  );
}
