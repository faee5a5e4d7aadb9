import { MigrationInterface, QueryRunner } from 'typeorm';
import { addOutboxTraceContext, dropOutboxTraceContext } from '@up/database';
import { USERS_SCHEMA } from '../shared/schema';

/** Outbox rows keep the trace context of the transaction that wrote them (libs/bus bus-tracing.ts). */
export class AddOutboxTraceContext1799120000000 implements MigrationInterface {
  name = 'AddOutboxTraceContext1799120000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addOutboxTraceContext(queryRunner, USERS_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropOutboxTraceContext(queryRunner, USERS_SCHEMA);
  }
}
