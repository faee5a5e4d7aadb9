import { Injectable } from '@nestjs/common';
import type { RedisStreamsContext } from '@up/bus';
import { Tx } from '../transactions';
import { ProcessedEventsRepository } from './processed-events.repository';

/**
 * The consuming side's idempotency: bus delivery is at-least-once, so a handler applies an event's
 * effect in a transaction that also records the event as processed, and skips it when it already
 * was. `consumer` names the effect (one service may have several handlers for one event).
 */
@Injectable()
export class EventInbox {
  constructor(private readonly processed: ProcessedEventsRepository) {}

  /** True the first time `consumer` sees the event of `context` in a committed transaction. */
  async firstDelivery(tx: Tx, consumer: string, context: RedisStreamsContext): Promise<boolean> {
    const eventId = context.getEventId();
    // Events from before event ids existed cannot be deduplicated; apply them (they were rare).
    if (!eventId) return true;
    return this.processed.claim(tx.manager, consumer, eventId);
  }
}
