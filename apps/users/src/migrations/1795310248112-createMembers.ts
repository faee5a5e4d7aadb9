import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Members, their coin ledger and achievements (schema `users`). Hand-written to match the
 * entities exactly (the no-drift test compares them), plus two indexes TypeORM cannot model:
 * the case-insensitive username key and the trigram index of the administrators' search.
 */
export class CreateMembers1795310248112 implements MigrationInterface {
  name = 'CreateMembers1795310248112';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Trusted extension since PostgreSQL 13: the database owner may create it.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await queryRunner.query(`
      CREATE TABLE "users"."members" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "telegram_id" bigint,
        "email" character varying(254),
        "password_hash" character varying(255),
        "username" character varying(64),
        "full_name" character varying(160) NOT NULL,
        "first_name" character varying(64),
        "last_name" character varying(64),
        "photo_url" character varying(2048),
        "language_code" character varying(35),
        "role" character varying(16) NOT NULL DEFAULT 'member',
        "is_active" boolean NOT NULL DEFAULT true,
        "up_coins" integer NOT NULL DEFAULT 0,
        "achievements_count" integer NOT NULL DEFAULT 0,
        "referral_code" character varying(9) NOT NULL,
        "referred_by" uuid,
        "version" integer NOT NULL DEFAULT 1,
        "last_login" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "members_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "members_identity_check" CHECK (telegram_id IS NOT NULL OR email IS NOT NULL),
        CONSTRAINT "members_email_lowercase_check" CHECK (email = lower(email)),
        CONSTRAINT "members_role_check" CHECK (role IN ('member', 'organizer', 'admin')),
        CONSTRAINT "members_up_coins_check" CHECK (up_coins >= 0),
        CONSTRAINT "members_achievements_count_check" CHECK (achievements_count >= 0),
        CONSTRAINT "members_not_self_referred_check" CHECK (referred_by IS NULL OR referred_by <> id),
        CONSTRAINT "members_referred_by_fkey" FOREIGN KEY ("referred_by")
          REFERENCES "users"."members"("id") ON DELETE SET NULL ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "members_telegram_id_key" ON "users"."members" ("telegram_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "members_email_key" ON "users"."members" ("email")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "members_referral_code_key" ON "users"."members" ("referral_code")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "members_username_lower_key" ON "users"."members" (lower("username"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "members_referred_by_created_at_idx" ON "users"."members" ("referred_by", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "members_created_at_idx" ON "users"."members" ("created_at")`,
    );
    // Must stay identical to MEMBER_SEARCH_TEXT_SQL (admin search), or the index is not used.
    await queryRunner.query(`
      CREATE INDEX "members_search_trgm_idx" ON "users"."members" USING gin (
        (lower(coalesce(email, '') || ' ' || coalesce(username, '') || ' ' || full_name || ' ' ||
          coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) gin_trgm_ops
      )`);

    await queryRunner.query(`
      CREATE TABLE "users"."coin_transactions" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "member_id" uuid NOT NULL,
        "amount" integer NOT NULL,
        "balance_after" integer NOT NULL,
        "kind" character varying(32) NOT NULL,
        "reason" character varying(200) NOT NULL,
        "idempotency_key" character varying(200) NOT NULL,
        "actor_id" uuid,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "coin_transactions_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "coin_transactions_amount_check" CHECK (amount <> 0),
        CONSTRAINT "coin_transactions_balance_after_check" CHECK (balance_after >= 0),
        CONSTRAINT "coin_transactions_kind_check"
          CHECK (kind IN ('debit', 'credit', 'referral_reward', 'admin_adjustment')),
        CONSTRAINT "coin_transactions_member_id_fkey" FOREIGN KEY ("member_id")
          REFERENCES "users"."members"("id") ON DELETE RESTRICT ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "coin_transactions_idempotency_key_key" ON "users"."coin_transactions" ("idempotency_key")`,
    );
    await queryRunner.query(
      `CREATE INDEX "coin_transactions_member_id_created_at_idx" ON "users"."coin_transactions" ("member_id", "created_at")`,
    );

    await queryRunner.query(`
      CREATE TABLE "users"."achievements" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "member_id" uuid NOT NULL,
        "code" character varying(32) NOT NULL,
        "awarded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "achievements_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "achievements_member_id_fkey" FOREIGN KEY ("member_id")
          REFERENCES "users"."members"("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "achievements_member_id_code_key" ON "users"."achievements" ("member_id", "code")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // pg_trgm stays: other schemas in the same database may use it.
    await queryRunner.query(`DROP TABLE "users"."achievements"`);
    await queryRunner.query(`DROP TABLE "users"."coin_transactions"`);
    await queryRunner.query(`DROP TABLE "users"."members"`);
  }
}
