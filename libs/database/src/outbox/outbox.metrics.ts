import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge, register, Registry } from 'prom-client';
import { OutboxRelay } from './outbox-relay';
import { OUTBOX_SCHEMA } from './outbox.options';

/** The outbox's Prometheus metric names (used by k8s/monitoring; a repository test checks them). */
export const OUTBOX_METRICS = {
  unsent: 'outbox_unsent_messages',
  oldestAge: 'outbox_oldest_unsent_age_seconds',
} as const;

interface LagSource {
  schema: string;
  relay: OutboxRelay;
}

const sourcesByRegistry = new WeakMap<Registry, Set<LagSource>>();

/**
 * Registers the two gauges once per registry. Their values are read on scrape (collect) from
 * OutboxRelay.lag(), one small query, so an idle service costs nothing between scrapes; a failed
 * read keeps the last values (the readiness check reports the database itself).
 */
function lagSources(registry: Registry): Set<LagSource> {
  let sources = sourcesByRegistry.get(registry);
  if (sources) return sources;
  const known = new Set<LagSource>();
  sources = known;
  sourcesByRegistry.set(registry, known);
  const lags = async () =>
    Promise.all(
      [...known].map(async (source) => ({
        schema: source.schema,
        lag: await source.relay.lag().catch(() => undefined),
      })),
    );
  new Gauge({
    name: OUTBOX_METRICS.unsent,
    help: 'Outbox rows committed and not yet published to the bus, per service schema',
    labelNames: ['schema'],
    registers: [registry],
    async collect() {
      for (const { schema, lag } of await lags()) if (lag) this.set({ schema }, lag.unsent);
    },
  });
  new Gauge({
    name: OUTBOX_METRICS.oldestAge,
    help: 'Age of the oldest unpublished outbox row (0 when none), per service schema',
    labelNames: ['schema'],
    registers: [registry],
    async collect() {
      for (const { schema, lag } of await lags()) {
        if (lag) this.set({ schema }, (lag.oldestAgeMs ?? 0) / 1000);
      }
    },
  });
  return known;
}

/** The outbox gauges of this service, while its module lives. */
@Injectable()
export class OutboxMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly source: LagSource;

  constructor(@Inject(OUTBOX_SCHEMA) schema: string, relay: OutboxRelay) {
    this.source = { schema, relay };
  }

  onModuleInit(): void {
    lagSources(register).add(this.source);
  }

  onModuleDestroy(): void {
    lagSources(register).delete(this.source);
  }
}
