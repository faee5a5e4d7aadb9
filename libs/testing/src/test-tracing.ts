import { isBuiltin } from 'node:module';
import type {
  Instrumentation,
  InstrumentationModuleDefinition,
} from '@opentelemetry/instrumentation';
import {
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { startTracing } from '@up/observability';

export interface TestTracing {
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  reset(): void;
}

let started: TestTracing | undefined;

/**
 * Tracing for a test that boots apps in its own process: the apps' SDK (libs/observability), started
 * once, with an in-memory exporter behind a SimpleSpanProcessor (each span is there as soon as it
 * ends). All apps share the one SDK, so a span names its app by `bus.service` (consumer spans)
 * or by its ancestors.
 */
export function startTestTracing(): TestTracing {
  if (started) return started;
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({
    app: 'test',
    env: {},
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  if (!tracing) throw new Error('tracing did not start');
  patchJestModules(tracing.instrumentations);
  started = { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
  return started;
}

// The point is to load modules through Jest's own require, by name.
/**
 * The instrumentations patch modules as Node's require loads them, but Jest loads every package
 * itself (its own registry per test file), past that hook, and http was loaded before the SDK
 * started. So the modules the apps use (http, pg, pg-pool, ioredis) are patched here, through the
 * instrumentations' own module definitions, in the instances Jest hands the apps (each
 * definition guards against patching twice). Fastify needs nothing: its server spans come from
 * the app's own hooks (libs/observability's http-server-spans).
 */
function patchJestModules(instrumentations: readonly Instrumentation[]): void {
  for (const instrumentation of instrumentations) {
    // Every instrumentation here is an InstrumentationBase, which has them (the interface does not).
    const base = instrumentation as {
      getModuleDefinitions?: () => InstrumentationModuleDefinition[];
    };
    for (const definition of base.getModuleDefinitions?.() ?? []) {
      let exports: unknown;
      let version: string | undefined;
      try {
        exports = require(definition.name);
        if (!isBuiltin(definition.name)) {
          version = (require(`${definition.name}/package.json`) as { version?: string }).version;
        }
      } catch {
        continue; // not a package this repository uses
      }
      definition.patch?.(exports, version);
    }
  }
}
