import { MigrationInterface, QueryRunner } from 'typeorm';

/** Refresh-token families (schema `auth`). Hand-written to match RefreshTokenEntity exactly. */
export class CreateRefreshTokens1763776000000 implements MigrationInterface {
  name = 'CreateRefreshTokens1763776000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "auth"."refresh_tokens" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "token_hash" bytea NOT NULL,
        "family_id" uuid NOT NULL,
        "member_id" uuid NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "rotated_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "auth"."refresh_tokens" ("token_hash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "refresh_tokens_family_id_idx" ON "auth"."refresh_tokens" ("family_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "refresh_tokens_member_id_idx" ON "auth"."refresh_tokens" ("member_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "refresh_tokens_expires_at_idx" ON "auth"."refresh_tokens" ("expires_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auth"."refresh_tokens"`);
  }
}
