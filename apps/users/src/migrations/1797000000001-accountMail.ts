import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Verified emails, one-time mail tokens, the mail outbox, and referral rewards that may wait (for
 * a verification, or for a later day under REFERRAL_REWARDS_PER_DAY).
 */
export class AccountMail1797000000001 implements MigrationInterface {
  name = 'AccountMail1797000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users"."members" ADD "email_verified_at" TIMESTAMP WITH TIME ZONE`,
    );
    await queryRunner.query(`
      CREATE TABLE "users"."member_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "member_id" uuid NOT NULL,
        "purpose" character varying(32) NOT NULL,
        "token_hash" character(64) NOT NULL,
        "email" character varying(254),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "used_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "member_tokens_purpose_check" CHECK (purpose IN ('email_verification', 'password_reset')),
        CONSTRAINT "member_tokens_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "member_tokens_member_id_fkey" FOREIGN KEY ("member_id")
          REFERENCES "users"."members"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "member_tokens_token_hash_key" ON "users"."member_tokens" ("token_hash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_tokens_member_id_purpose_idx" ON "users"."member_tokens" ("member_id", "purpose")`,
    );

    await queryRunner.query(`
      CREATE TABLE "users"."mail_outbox" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "kind" character varying(32) NOT NULL,
        "to_address" character varying(254) NOT NULL,
        "subject" character varying(200) NOT NULL,
        "text_body" text NOT NULL,
        "html_body" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "attempts" integer NOT NULL DEFAULT '0',
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_error" text,
        CONSTRAINT "mail_outbox_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "mail_outbox_next_attempt_at_idx" ON "users"."mail_outbox" ("next_attempt_at")`,
    );

    await queryRunner.query(`
      CREATE TABLE "users"."referral_rewards" (
        "referee_id" uuid NOT NULL,
        "referrer_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "eligible_at" TIMESTAMP WITH TIME ZONE,
        "paid_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "referral_rewards_paid_check" CHECK (paid_at IS NULL OR eligible_at IS NOT NULL),
        CONSTRAINT "referral_rewards_pkey" PRIMARY KEY ("referee_id"),
        CONSTRAINT "referral_rewards_referee_id_fkey" FOREIGN KEY ("referee_id")
          REFERENCES "users"."members"("id") ON DELETE CASCADE ON UPDATE NO ACTION,
        CONSTRAINT "referral_rewards_referrer_id_fkey" FOREIGN KEY ("referrer_id")
          REFERENCES "users"."members"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE INDEX "referral_rewards_referrer_id_paid_at_idx" ON "users"."referral_rewards" ("referrer_id", "paid_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "referral_rewards_referrer_id_eligible_at_idx" ON "users"."referral_rewards" ("referrer_id", "eligible_at")`,
    );
    // Referrals made before this migration were rewarded at the referee's creation.
    await queryRunner.query(`
      INSERT INTO "users"."referral_rewards" (referee_id, referrer_id, created_at, eligible_at, paid_at)
      SELECT id, referred_by, created_at, created_at, created_at
        FROM "users"."members" WHERE referred_by IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "users"."referral_rewards"`);
    await queryRunner.query(`DROP TABLE "users"."mail_outbox"`);
    await queryRunner.query(`DROP TABLE "users"."member_tokens"`);
    await queryRunner.query(`ALTER TABLE "users"."members" DROP COLUMN "email_verified_at"`);
  }
}
