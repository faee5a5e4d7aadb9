import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BusClient } from '@up/bus';
import { DatabaseEnv } from '@up/config';
import { BackgroundLoop, LoopRound } from '@up/health';
import { OutboxLag, OutboxRepository } from './outbox.repository';
import { ProcessedEventsRepository } from './processed-events.repository';

const BACKOFF = { initialMs: 100, maxMs: 5000 };
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** Processed-event ids are kept far longer than any redelivery (dead-lettering ends those in minutes). */
const PROCESSED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Moves committed outbox rows to the bus, on every replica: a batch is taken with
 * `FOR UPDATE SKIP LOCKED` (replicas share the work), sent in one pipelined round trip, and
 * deleted in the same transaction, which commits only after Redis stored every entry. A crash or
 * a Redis failure between the two rolls the batch back, and it is sent again: at-least-once, with
 * the same event ids, so consumers deduplicate.
 *
 * It runs right after a local commit (nudge), keeps going while batches come back full, and
 * otherwise polls every OUTBOX_POLL_INTERVAL_MS for rows other replicas left (a replica that died
 * before its relay ran). While sending fails it backs off from 100 ms to 5 s.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop: BackgroundLoop;
  private lastPurge = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rows: OutboxRepository,
    private readonly processed: ProcessedEventsRepository,
    private readonly bus: BusClient,
    private readonly config: DatabaseEnv,
  ) {
    this.loop = new BackgroundLoop({
      name: 'outbox relay',
      logger: this.logger,
      intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      backoff: BACKOFF,
      step: () => this.relayRound(),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.OUTBOX_RELAY_ENABLED) return;
    this.loop.start();
  }

  /** Stops before the bus client and the database close (module destroy precedes shutdown). */
  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Sends pending rows now rather than at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  lag(): Promise<OutboxLag> {
    return this.rows.lag();
  }

  /** Sends one batch; answers how many rows went out. */
  async relayOnce(): Promise<number> {
    let batchIds: string[] = [];
    try {
      return await this.dataSource.transaction(async (manager) => {
        const batch = await this.rows.takeBatch(manager, this.config.OUTBOX_BATCH_SIZE);
        if (batch.length === 0) return 0;
        batchIds = batch.map((row) => row.id);
        await this.bus.publishEvents(
          batch.map((row) => ({
            pattern: row.name,
            data: row.payload,
            eventId: row.event_id,
            occurredAt: new Date(row.occurred_at).toISOString(),
            correlationId: row.correlation_id ?? undefined,
            // The producing transaction's trace context: consumers link their spans to it.
            traceparent: row.traceparent ?? undefined,
            tracestate: row.tracestate ?? undefined,
          })),
        );
        await this.rows.deleteSent(manager, batchIds);
        return batch.length;
      });
    } catch (error) {
      if (batchIds.length > 0) {
        await this.rows.recordFailure(batchIds, (error as Error).message).catch(() => undefined);
      }
      throw error;
    }
  }

  /** A full batch means more may be waiting: the next round runs without the poll wait. */
  private async relayRound(): Promise<LoopRound> {
    const moved = await this.relayOnce();
    await this.purgeProcessedEvents();
    return moved < this.config.OUTBOX_BATCH_SIZE ? 'idle' : 'more';
  }

  private async purgeProcessedEvents(): Promise<void> {
    if (Date.now() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = Date.now();
    await this.processed.purgeBefore(new Date(Date.now() - PROCESSED_RETENTION_MS));
  }
}
