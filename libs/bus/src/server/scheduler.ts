import { LoggerService } from '@nestjs/common';
import { Delivery } from './delivery';
import { InFlightEntries } from './in-flight';

export interface SchedulerOptions {
  /** At most this many deliveries run at once. */
  concurrency: number;
  inFlight: InFlightEntries;
  /** Runs one delivery; it answers handler failures itself, so a rejection is Redis failing. */
  run: (delivery: Delivery) => Promise<void>;
  logger: LoggerService;
}

/**
 * Runs what the read loop and the reclaimer hand over, at most `concurrency` at once. The read
 * loop asks for only as many entries as there are free slots (and waits for one), so what this
 * replica cannot run now stays in Redis for the other replicas.
 */
export class Scheduler {
  private readonly queue: Delivery[] = [];
  private running = 0;
  private stopped = false;
  /** The read loops waiting for a free slot (one per slot group on a Redis Cluster). */
  private wakeReaders: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: SchedulerOptions) {}

  freeSlots(): number {
    return Math.max(0, this.options.concurrency - this.running - this.queue.length);
  }

  /** Resolves once a slot is free (or on `wake()`). */
  capacityAvailable(): Promise<void> {
    if (this.freeSlots() > 0) return Promise.resolve();
    return new Promise((resolve) => this.wakeReaders.push(resolve));
  }

  /** Releases the read loops waiting for capacity, so they see that the server stops. */
  wake(): void {
    for (const resolve of this.wakeReaders.splice(0)) resolve();
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  enqueue(deliveries: Delivery[]): void {
    for (const delivery of deliveries) {
      // Already here (queued or running): a late heartbeat let it be claimed back; never run twice.
      if (this.options.inFlight.add(delivery.stream, delivery.id)) this.queue.push(delivery);
    }
    this.pump();
  }

  /** Starts nothing more: what is queued stays pending in Redis and is claimed elsewhere. */
  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0 && !this.stopped) {
      const delivery = this.queue.shift() as Delivery;
      this.running++;
      void this.runDelivery(delivery);
    }
  }

  private async runDelivery(delivery: Delivery): Promise<void> {
    try {
      await this.options.run(delivery);
    } catch (error) {
      // The entry stays pending and is claimed again after the idle time.
      this.options.logger.error(
        `Bus failed on ${delivery.stream} ${delivery.id}: ${(error as Error).message}`,
      );
    } finally {
      this.running--;
      this.options.inFlight.delete(delivery.stream, delivery.id);
      this.pump();
      if (this.freeSlots() > 0) this.wake();
      if (this.running === 0 && this.queue.length === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    }
  }
}
