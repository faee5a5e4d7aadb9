import { Counter, CounterConfiguration, Gauge, GaugeConfiguration, register } from 'prom-client';

/**
 * A counter in prom-client's global registry (the one /metrics serves), created on first use and
 * found again after: a module built twice in one process (tests boot several replicas) must not
 * register its name twice, which prom-client refuses.
 */
export function counterOnce<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  const existing = register.getSingleMetric(config.name);
  return (existing as Counter<L> | undefined) ?? new Counter(config);
}

/** The gauge counterpart of counterOnce. */
export function gaugeOnce<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  const existing = register.getSingleMetric(config.name);
  return (existing as Gauge<L> | undefined) ?? new Gauge(config);
}
