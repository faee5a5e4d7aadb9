import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError, loadConfig, readEnvironment, TracingEnv } from '@up/config';

/** Paths that probes and scrapers hit every few seconds: a trace each would only be noise. */
const UNTRACED_PATHS = ['/metrics', '/health/live', '/health/ready'];

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
 * Starts OpenTelemetry (a NodeSDK with the HTTP, Fastify, pg and ioredis instrumentations, spans
 * exported over OTLP/HTTP) when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise does nothing at all:
 * no SDK is loaded and nothing is patched, so tracing off costs nothing. Each app's `tracing.ts`
 * calls it before anything else is loaded, because the instrumentations patch pg, ioredis and
 * http as they are required. Once per process: a second call answers the first SDK (the test
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
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');

  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request: IncomingMessage) =>
        UNTRACED_PATHS.some((path) => request.url?.startsWith(path)),
      // The bot's long polls and the mail worker's calls outside any request start no traces.
      requireParentforOutgoingSpans: true,
    }),
    // Registers itself on every Fastify instance (diagnostics channel `fastify.initialization`).
    // Hook spans are left out: one per hook per request costs more than it tells here (Nest's
    // guards and pipes run inside the handler span anyway).
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      instrumentHooks: false,
      ignorePaths: ({ url }) => UNTRACED_PATHS.some((path) => url.startsWith(path)),
    }),
    // Only within a trace: the outbox relay's and the sweeps' polls would each start one.
    new PgInstrumentation({ requireParentSpan: true }),
    // Likewise the bus reader's blocking XREADGROUP, the reclaimer and the outbox relay.
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
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
