import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reminders before the start: when each event got its current start (`scheduled_at`; existing
 * events count from now, so no stale reminder goes out when this is deployed), and the reminders
 * the sweep has dealt with. Hand-written to match the entities exactly (the no-drift test
 * compares them).
 */
export class AddReminders1797000000001 implements MigrationInterface {
  name = 'AddReminders1797000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "events"."events" ADD "scheduled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(`
      CREATE TABLE "events"."reminders_sent" (
        "event_id" uuid NOT NULL,
        "offset_ms" bigint NOT NULL,
        "start_date" TIMESTAMP WITH TIME ZONE NOT NULL,
        "offset_label" character varying(16) NOT NULL,
        "outcome" character varying(8) NOT NULL,
        "member_count" integer NOT NULL DEFAULT 0,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "reminders_sent_pkey" PRIMARY KEY ("event_id", "offset_ms", "start_date"),
        CONSTRAINT "reminders_sent_outcome_check" CHECK (outcome IN ('sent', 'skipped')),
        CONSTRAINT "reminders_sent_event_id_fkey" FOREIGN KEY ("event_id")
          REFERENCES "events"."events" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "events"."reminders_sent"`);
    await queryRunner.query(`ALTER TABLE "events"."events" DROP COLUMN "scheduled_at"`);
  }
}
