import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../query-rows';
import { OUTBOX_SCHEMA } from './outbox.options';

/** `<schema>.processed_events`: the bus events a consumer of this service has already applied. */
@Injectable()
export class ProcessedEventsRepository {
  private readonly table: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OUTBOX_SCHEMA) schema: string,
  ) {
    this.table = `"${schema}"."processed_events"`;
  }

  /**
   * Records `eventId` as processed by `consumer` in the caller's transaction; false when it already
   * was. A concurrent delivery of the same event waits on the primary key until this transaction
   * ends, then finds it taken, so the effect beside it happens once.
   */
  async claim(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `INSERT INTO ${this.table} (consumer, event_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, eventId],
    );
    return rows.length === 1;
  }

  /** Forgets events processed before `before` (far longer ago than any redelivery can come). */
  async purgeBefore(before: Date): Promise<number> {
    const rows = await queryRows(
      this.dataSource,
      `DELETE FROM ${this.table} WHERE processed_at < $1 RETURNING event_id`,
      [before],
    );
    return rows.length;
  }
}
