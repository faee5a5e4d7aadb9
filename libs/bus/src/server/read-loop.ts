import { LoggerService } from '@nestjs/common';
import type { RedisClient } from '@up/config';
import { isNoGroupError, sleep } from '../redis-connection';
import { deliveryCounts, readGroup, StreamEntry } from '../streams';
import { Delivery } from './delivery';
import { Scheduler } from './scheduler';

/** A blocking read returns at least this often, so a silently dead connection is noticed. */
const BLOCK_MS = 5000;
const MAX_BACKOFF_MS = 5000;

export interface ReadLoopOptions {
  /** The blocking connection: XREADGROUP only. */
  reader: RedisClient;
  /** For the delivery counts of re-read entries. */
  commands: RedisClient;
  group: string;
  consumer: string;
  streams: string[];
  scheduler: Scheduler;
  /** False once the server stops listening: the loop ends. */
  isListening: () => boolean;
  /** Recreates the consumer groups from the start of their streams (Redis lost them). */
  recreateGroups: () => Promise<void>;
  logger: LoggerService;
}

/**
 * The XREADGROUP loop over the streams the replica reads (all of them on one Redis; those of one
 * hash slot on a Redis Cluster, one loop per slot): it reads only as many entries as
 * the scheduler has free slots, backs off (100 ms doubling to 5 s) while Redis fails, and
 * recreates the consumer groups when Redis has lost them.
 */
export class ReadLoop {
  constructor(private readonly options: ReadLoopOptions) {}

  async run(): Promise<void> {
    const { reader, group, consumer, streams, scheduler, isListening, logger } = this.options;
    // On start-up, first this consumer's own pending entries (a previous life of this replica
    // took them and never acknowledged them), then new ones.
    const history = new Map(streams.map((stream) => [stream, '0']));
    let backoffMs = 0;
    while (isListening()) {
      await scheduler.capacityAvailable();
      if (!isListening()) break;
      const count = scheduler.freeSlots();
      try {
        if (history.size > 0) {
          const batch = await readGroup(reader, { group, consumer, count, cursors: [...history] });
          const entries: StreamEntry[] = [];
          for (const [stream, got] of batch) {
            if (got.length === 0) history.delete(stream);
            else history.set(stream, got[got.length - 1].id);
            entries.push(...got);
          }
          scheduler.enqueue(await this.withDeliveryCounts(entries));
        } else {
          const batch = await readGroup(reader, {
            group,
            consumer,
            count,
            blockMs: BLOCK_MS,
            cursors: streams.map((stream) => [stream, '>'] as const),
          });
          for (const entries of batch.values()) scheduler.enqueue(entries);
        }
        backoffMs = 0;
      } catch (error) {
        if (!isListening()) break;
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), MAX_BACKOFF_MS);
        if (isNoGroupError(error)) {
          // Redis lost the groups (restarted without persistence, or someone deleted the stream):
          // recreate them from the beginning of the stream, whose entries are all new.
          logger.warn('Bus consumer groups missing; recreating them');
          await this.options
            .recreateGroups()
            .catch((e: unknown) => logger.warn(`Bus: ${(e as Error).message}`));
          history.clear();
        } else {
          logger.warn(`Bus read failed (${(error as Error).message}); retrying in ${backoffMs} ms`);
        }
        await sleep(backoffMs);
      }
    }
  }

  private async withDeliveryCounts(entries: StreamEntry[]): Promise<Delivery[]> {
    const { commands, group, consumer } = this.options;
    const byStream = new Map<string, StreamEntry[]>();
    for (const entry of entries)
      byStream.set(entry.stream, [...(byStream.get(entry.stream) ?? []), entry]);
    const result: Delivery[] = [];
    for (const [stream, list] of byStream) {
      const counts = await deliveryCounts(commands, {
        stream,
        group,
        consumer,
        ids: list.map((entry) => entry.id),
      });
      result.push(...list.map((entry) => ({ ...entry, deliveries: counts.get(entry.id) ?? 1 })));
    }
    return result;
  }
}
