import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * The W3C trace id of the span in progress, when the OpenTelemetry SDK traces this work; without
 * an SDK (or outside a span) there is none, and this costs a context lookup.
 */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
