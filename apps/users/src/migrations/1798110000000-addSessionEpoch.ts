import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Members' session epoch (see MemberEntity.sessionEpoch). Existing members start at 0, the epoch
 * every existing refresh-token family records, so their sessions go on. Members deactivated
 * before this migration start at 1: their old sessions stay refused even after a reactivation.
 */
export class AddSessionEpoch1798110000000 implements MigrationInterface {
  name = 'AddSessionEpoch1798110000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD "session_epoch" integer NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(`UPDATE "users"."members" SET "session_epoch" = 1 WHERE NOT is_active`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users"."members" DROP COLUMN "session_epoch"`);
  }
}
