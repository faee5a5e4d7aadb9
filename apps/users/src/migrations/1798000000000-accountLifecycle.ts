import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One member across Telegram and email (merges) and deleted accounts: members may point to the
 * member they were merged into, or be erased; the saga state of merges; the ledger's `merge` kind.
 */
export class AccountLifecycle1798000000000 implements MigrationInterface {
  name = 'AccountLifecycle1798000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users"."members" ADD "merged_into" uuid`);
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD "deleted_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" DROP CONSTRAINT "members_identity_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD CONSTRAINT "members_identity_check"
         CHECK (telegram_id IS NOT NULL OR email IS NOT NULL OR deleted_at IS NOT NULL OR merged_into IS NOT NULL)`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD CONSTRAINT "members_not_merged_into_self_check"
         CHECK (merged_into IS NULL OR merged_into <> id)`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD CONSTRAINT "members_merged_into_fkey"
         FOREIGN KEY ("merged_into") REFERENCES "users"."members"("id")
         ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    await queryRunner.query(
      `ALTER TABLE "users"."coin_transactions" DROP CONSTRAINT "coin_transactions_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."coin_transactions" ADD CONSTRAINT "coin_transactions_kind_check"
         CHECK (kind IN ('debit', 'credit', 'referral_reward', 'admin_adjustment', 'merge'))`,
    );

    await queryRunner.query(`
      CREATE TABLE "users"."member_merges" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "from_member_id" uuid NOT NULL,
        "into_member_id" uuid NOT NULL,
        "cause" character varying(24) NOT NULL,
        "step" character varying(16) NOT NULL,
        "attempts" integer NOT NULL DEFAULT '0',
        "last_error" text,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "completed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "member_merges_step_check" CHECK (step IN ('events', 'sessions', 'coins', 'done')),
        CONSTRAINT "member_merges_cause_check" CHECK (cause IN ('telegram_link', 'email_verification')),
        CONSTRAINT "member_merges_distinct_check" CHECK (from_member_id <> into_member_id),
        CONSTRAINT "member_merges_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "member_merges_from_member_id_fkey" FOREIGN KEY ("from_member_id")
          REFERENCES "users"."members"("id") ON DELETE RESTRICT ON UPDATE NO ACTION,
        CONSTRAINT "member_merges_into_member_id_fkey" FOREIGN KEY ("into_member_id")
          REFERENCES "users"."members"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "member_merges_from_member_id_key" ON "users"."member_merges" ("from_member_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_merges_into_member_id_idx" ON "users"."member_merges" ("into_member_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_merges_due_idx" ON "users"."member_merges" ("next_attempt_at") WHERE step <> 'done'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "users"."member_merges"`);
    await queryRunner.query(
      `ALTER TABLE "users"."coin_transactions" DROP CONSTRAINT "coin_transactions_kind_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."coin_transactions" ADD CONSTRAINT "coin_transactions_kind_check"
         CHECK (kind IN ('debit', 'credit', 'referral_reward', 'admin_adjustment'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" DROP CONSTRAINT "members_merged_into_fkey"`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" DROP CONSTRAINT "members_not_merged_into_self_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" DROP CONSTRAINT "members_identity_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD CONSTRAINT "members_identity_check"
         CHECK (telegram_id IS NOT NULL OR email IS NOT NULL)`,
    );
    await queryRunner.query(`ALTER TABLE "users"."members" DROP COLUMN "deleted_at"`);
    await queryRunner.query(`ALTER TABLE "users"."members" DROP COLUMN "merged_into"`);
  }
}
