import { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTables, dropOutboxTables } from '@up/database';
import { EVENTS_SCHEMA } from '../shared/schema';

/** The events service's outbox (bus events written in the transaction) and its processed-events inbox. */
export class CreateOutbox1796000000001 implements MigrationInterface {
  name = 'CreateOutbox1796000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createOutboxTables(queryRunner, EVENTS_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropOutboxTables(queryRunner, EVENTS_SCHEMA);
  }
}
