import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each session records the member's session epoch at its sign-in (SessionEntity.memberEpoch).
 * Existing sessions get 0, the epoch every member starts with; a member deactivated before the
 * users service's matching migration is at 1 there, so their existing sessions stay refused.
 */
export class AddSessionEpoch1798110000000 implements MigrationInterface {
  name = 'AddSessionEpoch1798110000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "auth"."sessions" ADD "member_epoch" integer NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth"."sessions" DROP COLUMN "member_epoch"`);
  }
}
