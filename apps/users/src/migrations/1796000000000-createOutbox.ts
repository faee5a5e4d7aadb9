import { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTables, dropOutboxTables } from '@up/database';
import { USERS_SCHEMA } from '../shared/schema';

/** The users service's outbox (events it publishes) and processed events (events it consumed). */
export class CreateOutbox1796000000000 implements MigrationInterface {
  name = 'CreateOutbox1796000000000';

  up(queryRunner: QueryRunner): Promise<void> {
    return createOutboxTables(queryRunner, USERS_SCHEMA);
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return dropOutboxTables(queryRunner, USERS_SCHEMA);
  }
}
