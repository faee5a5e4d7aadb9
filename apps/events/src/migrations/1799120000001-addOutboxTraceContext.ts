import { MigrationInterface, QueryRunner } from 'typeorm';
import { addOutboxTraceContext, dropOutboxTraceContext } from '@up/database';
import { EVENTS_SCHEMA } from '../shared/schema';

/** Outbox rows keep the trace context of the transaction that wrote them (libs/bus bus-tracing.ts). */
export class AddOutboxTraceContext1799120000001 implements MigrationInterface {
  name = 'AddOutboxTraceContext1799120000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addOutboxTraceContext(queryRunner, EVENTS_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropOutboxTraceContext(queryRunner, EVENTS_SCHEMA);
  }
}
