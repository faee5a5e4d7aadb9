import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError, loadConfig, readEnvironment, TracingEnv } from '@up/config';
import { traceFastifyRequests } from './http-server-spans';

export interface TracingOptions {
  /** The app (`gateway`, `users`, ...): the spans' `service.name` unless OTEL_SERVICE_NAME is set. */
  app: string;
  /** The environment to read OTEL_* from (default: the process's, through @up/config). */
  env?: Record<string, string | undefined>;
  /**
   * Where spans go instead of OTLP; given, tracing starts even without an endpoint (a test's
   * in-memory exporter).
   */
  spanProcessors?: SpanProcessor[];
}

/** A started tracing SDK. */
export interface Tracing {
  readonly serviceName: string;
  /** The instrumentations it enabled (a test patches the modules its own loader holds with them). */
  readonly instrumentations: readonly Instrumentation[];
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/**
 * Starts OpenTelemetry (a NodeSDK: one server span per HTTP request of the Fastify apps, the bus's
 * client and server spans (libs/bus), a span per SQL query within a trace, the outgoing HTTP calls
 * within a trace; exported over OTLP/HTTP) when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise does
 * nothing at all: no SDK is loaded and nothing is patched, so tracing off costs nothing. Each
 * app's `tracing.ts` calls it before anything else is loaded, because the instrumentations patch
 * pg and http as they are required. Redis commands get no spans: on the hot paths they are the
 * bus's own XADDs, which its client and server spans already stand for, at two or three spans a
 * request. Once per process: a second call answers the first SDK (the test
 * harness boots every app in one process, so there spans tell apps apart by `bus.service`).
 *
 * An invalid OTEL_* value starts nothing here: the app's own configuration (CommonEnv extends
 * TracingEnv) then stops the process with a message naming the variable.
 */
export function startTracing(options: TracingOptions): Tracing | undefined {
  if (started) return started;
  let config: TracingEnv;
  try {
    config = loadConfig(TracingEnv, options.env ?? readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint && !options.spanProcessors) return undefined;
  started = createSdk({
    serviceName: config.OTEL_SERVICE_NAME ?? options.app,
    endpoint,
    spanProcessors: options.spanProcessors,
  });
  return started;
}

// Loaded only when tracing is on: with it off, not one module of the SDK is read.
function createSdk(options: {
  serviceName: string;
  endpoint?: string;
  spanProcessors?: SpanProcessor[];
}): Tracing {
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');

  const instrumentations: Instrumentation[] = [
    // Outgoing calls only (the bot's calls to Telegram): the server spans are
    // traceFastifyRequests'. The bot's long polls and the mail worker's calls outside any request
    // start no traces.
    new HttpInstrumentation({
      disableIncomingRequestInstrumentation: true,
      requireParentforOutgoingSpans: true,
    }),
    // Only within a trace: the outbox relay's and the sweeps' polls would each start one. The
    // queries only: a pooled connection's checkout is no work worth a span.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
  ];
  traceFastifyRequests();
  const spanProcessors = options.spanProcessors ?? [
    new BatchSpanProcessor(
      new OTLPTraceExporter({ url: `${options.endpoint?.replace(/\/+$/, '')}/v1/traces` }),
    ),
  ];
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors,
    instrumentations,
    // Traces only: metrics are Prometheus (prom-client), logs are pino lines with trace ids.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    serviceName: options.serviceName,
    instrumentations,
    shutdown: () => sdk.shutdown(),
  };
}
