import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../query-rows';
import { OUTBOX_SCHEMA } from './outbox.options';

/** A committed event waiting for the relay. */
export interface OutboxRow {
  id: string;
  event_id: string;
  name: string;
  payload: unknown;
  correlation_id: string | null;
  occurred_at: Date;
  traceparent: string | null;
  tracestate: string | null;
}

export interface NewOutboxEvent {
  eventId: string;
  name: string;
  payload: unknown;
  correlationId?: string;
  /** W3C trace context of the producing transaction's span. */
  traceparent?: string;
  tracestate?: string;
}

/** How far behind the relay is: rows not yet on the bus, and the age of the oldest. */
export interface OutboxLag {
  unsent: number;
  /** Milliseconds; null when nothing waits. */
  oldestAgeMs: number | null;
}

/** `<schema>.outbox`: events written in their transaction, deleted once on the bus. */
@Injectable()
export class OutboxRepository {
  private readonly table: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OUTBOX_SCHEMA) schema: string,
  ) {
    this.table = `"${schema}"."outbox"`;
  }

  /** Adds events in the caller's transaction (one statement for any number). */
  async add(manager: EntityManager, events: readonly NewOutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await queryRows(
      manager,
      `INSERT INTO ${this.table} (event_id, name, payload, correlation_id, traceparent, tracestate)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[])`,
      [
        events.map((e) => e.eventId),
        events.map((e) => e.name),
        events.map((e) => JSON.stringify(e.payload ?? null)),
        events.map((e) => e.correlationId ?? null),
        events.map((e) => e.traceparent ?? null),
        events.map((e) => e.tracestate ?? null),
      ],
    );
  }

  /**
   * The oldest unsent rows, locked until the caller's transaction ends; rows another replica's
   * relay holds are skipped, so replicas share the work and no row is sent twice in the normal case.
   */
  takeBatch(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    return queryRows<OutboxRow>(
      manager,
      `SELECT id, event_id, name, payload, correlation_id, occurred_at, traceparent, tracestate
         FROM ${this.table}
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async deleteSent(manager: EntityManager, ids: readonly string[]): Promise<void> {
    await queryRows(manager, `DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [ids]);
  }

  /** Records a failed send on the rows (operators see `attempts` and `last_error`). */
  async recordFailure(ids: readonly string[], error: string): Promise<void> {
    await queryRows(
      this.dataSource,
      `UPDATE ${this.table} SET attempts = attempts + 1, last_error = $2
        WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 1000)],
    );
  }

  async lag(): Promise<OutboxLag> {
    const row = await queryOne<{ unsent: number; oldest_age_ms: number | null }>(
      this.dataSource,
      `SELECT count(*)::int AS unsent,
              (extract(epoch FROM now() - min(occurred_at)) * 1000)::float8 AS oldest_age_ms
         FROM ${this.table}`,
    );
    return { unsent: row?.unsent ?? 0, oldestAgeMs: row?.oldest_age_ms ?? null };
  }
}
