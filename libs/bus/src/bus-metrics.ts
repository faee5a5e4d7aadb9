import type { RedisClient } from '@up/config';
import { Counter, Gauge, Histogram, register, Registry } from 'prom-client';

/** How one delivery of a message ended on the serving side. */
export type BusOutcome = 'ok' | 'domain_error' | 'failed' | 'dead_lettered';

/**
 * The bus's Prometheus metric names: the monitoring rules and the dashboard (k8s/monitoring) use
 * these, and a repository test checks that every name they use is one an app exports.
 */
export const BUS_METRICS = {
  handled: 'bus_messages_handled_total',
  handlerDuration: 'bus_handler_duration_seconds',
  inFlight: 'bus_messages_in_flight',
  reclaimed: 'bus_messages_reclaimed_total',
  clientTimeouts: 'bus_client_timeouts_total',
  groupPending: 'bus_group_pending_messages',
  groupLag: 'bus_group_lag_messages',
} as const;

/** The label of a pattern no handler of this replica knows: unknown names never become series. */
export const UNMATCHED_PATTERN = 'unmatched';

/** A consumer (one replica's server) whose groups the pending and lag gauges sample on scrape. */
export interface BusConsumerSource {
  service: string;
  /** A stream's label: `req:users`, `evt:event.participant_joined` (BusKeys.shortName). */
  streamLabel(stream: string): string;
  streams(): readonly string[];
  /** A non-blocking connection for XINFO GROUPS. */
  redis(): RedisClient | undefined;
  inFlight(): number;
}

/** A scrape never waits on Redis longer than this; the gauges keep their last values then. */
const SAMPLE_TIMEOUT_MS = 1000;

/**
 * The bus's metrics, registered once per registry (prom-client refuses a name twice). Labels are
 * bounded: `service` is the consumer group, `pattern` is one of the patterns this replica has a
 * handler for (else `unmatched`), `stream` is one of the streams it reads.
 *
 * Pending and lag are not counted per message: they are read from Redis (XINFO GROUPS, one call
 * per stream) when Prometheus scrapes, so their cost follows the scrape interval, not the traffic.
 */
export class BusMetrics {
  private static readonly byRegistry = new WeakMap<Registry, BusMetrics>();

  /** The bus metrics of `registry` (default: prom-client's global registry, which /metrics serves). */
  static of(registry: Registry = register): BusMetrics {
    let metrics = BusMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new BusMetrics(registry);
      BusMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private readonly sources = new Set<BusConsumerSource>();
  private readonly handled: Counter<'service' | 'pattern' | 'outcome'>;
  private readonly duration: Histogram<'service' | 'pattern'>;
  private readonly reclaimedTotal: Counter<'service' | 'stream'>;
  private readonly timeouts: Counter<'pattern'>;

  private constructor(registry: Registry) {
    const registers = [registry];
    this.handled = new Counter({
      name: BUS_METRICS.handled,
      help: 'Bus messages handled by this replica, by pattern and outcome (ok, domain_error, failed, dead_lettered)',
      labelNames: ['service', 'pattern', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: BUS_METRICS.handlerDuration,
      help: 'Time a bus handler ran, by pattern',
      labelNames: ['service', 'pattern'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.reclaimedTotal = new Counter({
      name: BUS_METRICS.reclaimed,
      help: 'Entries this replica claimed after another consumer left them idle (crash, failed handler)',
      labelNames: ['service', 'stream'],
      registers,
    });
    this.timeouts = new Counter({
      name: BUS_METRICS.clientTimeouts,
      help: 'Bus requests this app sent whose reply did not come in time, by pattern',
      labelNames: ['pattern'],
      registers,
    });
    const sources = this.sources;
    new Gauge({
      name: BUS_METRICS.inFlight,
      help: 'Bus messages taken by this replica and not finished (queued or running)',
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const source of sources) this.inc({ service: source.service }, source.inFlight());
      },
    });
    const sample = (gauge: Gauge<'service' | 'stream'>, field: 'pending' | 'lag') =>
      sampleGroups(sources, (labels, info) => {
        const value = info[field];
        if (typeof value === 'number') gauge.set(labels, value);
      });
    new Gauge({
      name: BUS_METRICS.groupPending,
      help: "Entries delivered to the service's consumer group and not acknowledged yet, per stream",
      labelNames: ['service', 'stream'],
      registers,
      collect() {
        return sample(this, 'pending');
      },
    });
    new Gauge({
      name: BUS_METRICS.groupLag,
      help: "Entries of the stream the service's consumer group has not read yet",
      labelNames: ['service', 'stream'],
      registers,
      collect() {
        return sample(this, 'lag');
      },
    });
  }

  /** A listening server registers itself; the gauges read it until it unregisters. */
  watch(source: BusConsumerSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  handledOne(args: {
    service: string;
    pattern: string;
    outcome: BusOutcome;
    seconds?: number;
  }): void {
    const { service, pattern, outcome, seconds } = args;
    this.handled.inc({ service, pattern, outcome });
    if (seconds !== undefined) this.duration.observe({ service, pattern }, seconds);
  }

  reclaimed(
    source: Pick<BusConsumerSource, 'service' | 'streamLabel'>,
    stream: string,
    count: number,
  ): void {
    this.reclaimedTotal.inc({ service: source.service, stream: source.streamLabel(stream) }, count);
  }

  clientTimeout(pattern: string): void {
    this.timeouts.inc({ pattern });
  }
}

interface GroupInfo {
  pending?: number;
  lag?: number;
}

async function sampleGroups(
  sources: ReadonlySet<BusConsumerSource>,
  set: (labels: { service: string; stream: string }, info: GroupInfo) => void,
): Promise<void> {
  const reads: Promise<void>[] = [];
  for (const source of sources) {
    const redis = source.redis();
    if (!redis || redis.status !== 'ready') continue;
    for (const stream of source.streams()) {
      reads.push(
        groupInfo(redis, stream, source.service).then(
          (info) => {
            if (info) set({ service: source.service, stream: source.streamLabel(stream) }, info);
          },
          // A failed sample keeps the last value; the scrape itself must not fail on Redis.
          () => undefined,
        ),
      );
    }
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(reads),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, SAMPLE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
}

/** XINFO GROUPS of `stream`, the entry of `group`: its pending count and (Redis 7+) its lag. */
async function groupInfo(
  redis: RedisClient,
  stream: string,
  group: string,
): Promise<GroupInfo | null> {
  const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[];
  for (const raw of groups) {
    if (!Array.isArray(raw)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < raw.length; i += 2) fields.set(String(raw[i]), raw[i + 1]);
    if (fields.get('name') !== group) continue;
    const pending = fields.get('pending');
    const lag = fields.get('lag');
    return {
      ...(typeof pending === 'number' ? { pending } : {}),
      ...(typeof lag === 'number' ? { lag } : {}),
    };
  }
  return null;
}
