import { LoggerService } from '@nestjs/common';
import type { RedisClient } from '@up/config';
import { autoClaim, deliveryCounts, touch } from '../streams';
import { InFlightEntries } from './in-flight';
import { Delivery } from './delivery';

export interface ReclaimerOptions {
  commands: RedisClient;
  group: string;
  consumer: string;
  streams: string[];
  claimIdleMs: number;
  inFlight: InFlightEntries;
  /** How many more entries this replica can take now. */
  capacity: () => number;
  onClaimed: (deliveries: Delivery[]) => void;
  logger: LoggerService;
}

/**
 * Recovery of entries left pending, on a timer of its own.
 *
 * Heartbeat: every claimIdle/4 this replica resets the idle time of the entries it is still
 * working on (XCLAIM ... JUSTID), so a slow handler is never mistaken for a dead replica and
 * re-run elsewhere. Claim: every claimIdle/2 it takes over (XAUTOCLAIM) entries idle longer than
 * claimIdle: those of a replica that died, or of a handler that failed and was left for a retry.
 * Both timers are chained timeouts (a slow round never overlaps the next) and unref'd.
 */
export class Reclaimer {
  private heartbeatTimer?: NodeJS.Timeout;
  private claimTimer?: NodeJS.Timeout;
  private claiming = false;
  private heartbeating = false;

  constructor(private readonly options: ReclaimerOptions) {}

  get heartbeatIntervalMs(): number {
    return Math.max(25, Math.floor(this.options.claimIdleMs / 4));
  }

  get claimIntervalMs(): number {
    return Math.max(50, Math.floor(this.options.claimIdleMs / 2));
  }

  start(): void {
    this.heartbeating = true;
    this.claiming = true;
    this.scheduleHeartbeat();
    this.scheduleClaim();
  }

  /** Stops taking over others' entries (shutdown), while still keeping our own alive. */
  stopClaiming(): void {
    this.claiming = false;
    clearTimeout(this.claimTimer);
  }

  stop(): void {
    this.stopClaiming();
    this.heartbeating = false;
    clearTimeout(this.heartbeatTimer);
  }

  private scheduleHeartbeat(): void {
    if (!this.heartbeating) return;
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeat()
        .catch((error: unknown) =>
          this.options.logger.warn?.(`Bus heartbeat failed: ${(error as Error).message}`),
        )
        .finally(() => this.scheduleHeartbeat());
    }, this.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  private scheduleClaim(): void {
    if (!this.claiming) return;
    // Jitter, so the replicas of a service do not all claim in the same instant.
    const delay = this.claimIntervalMs * (0.75 + Math.random() * 0.5);
    this.claimTimer = setTimeout(() => {
      this.claim()
        .catch((error: unknown) =>
          this.options.logger.warn?.(`Bus reclaim failed: ${(error as Error).message}`),
        )
        .finally(() => this.scheduleClaim());
    }, delay);
    this.claimTimer.unref();
  }

  async heartbeat(): Promise<void> {
    const { commands, group, consumer, inFlight } = this.options;
    await Promise.all(
      inFlight.entries().map(([stream, ids]) => touch(commands, { stream, group, consumer, ids })),
    );
  }

  async claim(): Promise<void> {
    for (const stream of this.options.streams) {
      let start = '0-0';
      do {
        const capacity = this.options.capacity();
        if (!this.claiming || capacity <= 0) return;
        const { commands, group, consumer, claimIdleMs, inFlight } = this.options;
        const claimed = await autoClaim(commands, {
          stream,
          group,
          consumer,
          minIdleMs: claimIdleMs,
          start,
          count: capacity,
        });
        start = claimed.next;
        // An entry of ours is only this idle if its heartbeat was late; it is running, leave it.
        const fresh = claimed.entries.filter((entry) => !inFlight.has(stream, entry.id));
        if (fresh.length === 0) continue;
        const counts = await deliveryCounts(commands, {
          stream,
          group,
          consumer,
          ids: fresh.map((entry) => entry.id),
        });
        this.options.logger.log?.(`Bus claimed ${fresh.length} idle entries of ${stream}`);
        this.options.onClaimed(
          fresh.map((entry) => ({ ...entry, deliveries: counts.get(entry.id) ?? 1 })),
        );
      } while (start !== '0-0');
    }
  }
}
