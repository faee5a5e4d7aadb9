import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (schema `auth`): one row per refresh-token family, with what the session list shows.
 * Families that already exist get their row from their tokens (first and last token), without a
 * client (it was never recorded), before the foreign key ties tokens to sessions.
 */
export class AddSessions1797000000000 implements MigrationInterface {
  name = 'AddSessions1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "auth"."sessions" (
        "id" uuid NOT NULL,
        "member_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "user_agent" character varying(256),
        "ip_network" cidr,
        CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE INDEX "sessions_member_id_idx" ON "auth"."sessions" ("member_id")`,
    );
    await queryRunner.query(`
      INSERT INTO "auth"."sessions" ("id", "member_id", "created_at", "last_used_at")
      SELECT "family_id", min("member_id"::text)::uuid, min("created_at"), max("created_at")
      FROM "auth"."refresh_tokens" GROUP BY "family_id"`);
    await queryRunner.query(`
      ALTER TABLE "auth"."refresh_tokens" ADD CONSTRAINT "refresh_tokens_family_id_fkey"
      FOREIGN KEY ("family_id") REFERENCES "auth"."sessions"("id") ON DELETE CASCADE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "auth"."refresh_tokens" DROP CONSTRAINT "refresh_tokens_family_id_fkey"`,
    );
    await queryRunner.query(`DROP TABLE "auth"."sessions"`);
  }
}
