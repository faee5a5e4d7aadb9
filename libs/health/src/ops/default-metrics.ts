import { collectDefaultMetrics, register, Registry } from 'prom-client';

/** A metric collectDefaultMetrics registers: present means the defaults are registered already. */
const DEFAULT_METRIC = 'process_cpu_user_seconds_total';

/**
 * Process and Node metrics (CPU, memory, heap spaces, GC, event-loop lag, handles) in `registry`,
 * once: the gateway's PrometheusModule may have registered them already, and prom-client refuses
 * a metric name twice.
 */
export function ensureDefaultMetrics(registry: Registry = register): void {
  if (registry.getSingleMetric(DEFAULT_METRIC)) return;
  collectDefaultMetrics({ register: registry });
}
