import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Members' notification settings (announcements, reminders, language) and whether Telegram
 * delivers to them. Existing members get announcements and reminders on, the language of their
 * Telegram client, and count as reachable. Hand-written to match the entity exactly (the no-drift
 * test compares them).
 */
export class AddNotificationSettings1797000000000 implements MigrationInterface {
  name = 'AddNotificationSettings1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "users"."members"
        ADD "language" character varying(2),
        ADD "notify_announcements" boolean NOT NULL DEFAULT true,
        ADD "notify_reminders" boolean NOT NULL DEFAULT true,
        ADD "telegram_reachable" boolean NOT NULL DEFAULT true,
        ADD CONSTRAINT "members_language_check" CHECK (language IN ('ru', 'en'))`);
    await queryRunner.query(
      `CREATE INDEX "members_announcement_targets_idx" ON "users"."members" ("id") WHERE is_active AND telegram_id IS NOT NULL AND notify_announcements AND telegram_reachable`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "users"."members_announcement_targets_idx"`);
    await queryRunner.query(`
      ALTER TABLE "users"."members"
        DROP CONSTRAINT "members_language_check",
        DROP COLUMN "telegram_reachable",
        DROP COLUMN "notify_reminders",
        DROP COLUMN "notify_announcements",
        DROP COLUMN "language"`);
  }
}
