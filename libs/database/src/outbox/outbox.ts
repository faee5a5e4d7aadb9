import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EventName } from '@up/contracts';
import { producerContextOf } from '@up/bus';
import { Correlation } from '@up/logging';
import { Tx } from '../transactions';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/** One event to publish: its name (which types the payload) and payload. */
export interface OutboxEvent<TPayload = unknown> {
  name: EventName<TPayload>;
  payload: TPayload;
}

/** Builds an OutboxEvent with the payload checked against the event name's type. */
export function outboxEvent<TPayload>(
  name: EventName<TPayload>,
  payload: NoInfer<TPayload>,
): OutboxEvent<TPayload> {
  return { name, payload };
}

/**
 * The one way a service publishes a bus event: written into the service's outbox table in the
 * transaction that made the fact true, and moved to the bus by the relay once committed. A
 * rolled-back transaction publishes nothing; a committed one is published even if Redis or this
 * process is down at that moment (the relay of any replica sends it later). Each event gets an
 * `event_id` (answered here) and `occurred_at`; delivery is at-least-once.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly rows: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async publish<TPayload>(
    tx: Tx,
    name: EventName<TPayload>,
    payload: NoInfer<TPayload>,
  ): Promise<string> {
    const [eventId] = await this.publishAll(tx, [{ name, payload }]);
    return eventId;
  }

  /** Several events of one transaction, in order, in one statement. */
  async publishAll(tx: Tx, events: readonly OutboxEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const correlationId = Correlation.id();
    const rows = events.map((event) => {
      const eventId = randomUUID();
      return {
        eventId,
        name: event.name,
        payload: event.payload,
        correlationId,
        // A PRODUCER span in the transaction's trace; the row keeps its context for the relay.
        ...producerContextOf({ pattern: event.name, eventId }),
      };
    });
    await this.rows.add(tx.manager, rows);
    // This replica's relay sends them right after the commit instead of at its next poll.
    tx.afterCommit(() => this.relay.nudge());
    return rows.map((row) => row.eventId);
  }
}
