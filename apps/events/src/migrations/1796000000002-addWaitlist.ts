import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The waitlist of full events, and the `cancelled` participation (a seat given back, and refunded,
 * because the event was cancelled). Hand-written to match the entities exactly (the no-drift test
 * compares them).
 */
export class AddWaitlist1796000000002 implements MigrationInterface {
  name = 'AddWaitlist1796000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "events"."participants" DROP CONSTRAINT "participants_status_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "events"."participants" ADD CONSTRAINT "participants_status_check" CHECK (status IN ('pending', 'joined', 'left', 'failed', 'cancelled'))`,
    );
    await queryRunner.query(`
      CREATE TABLE "events"."waitlist" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "event_id" uuid NOT NULL,
        "member_id" uuid NOT NULL,
        "status" character varying(16) NOT NULL,
        "participant_id" uuid,
        "joined_waitlist_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "waitlist_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "waitlist_status_check"
          CHECK (status IN ('waiting', 'promoting', 'promoted', 'skipped', 'left', 'released')),
        CONSTRAINT "waitlist_event_id_fkey" FOREIGN KEY ("event_id")
          REFERENCES "events"."events" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )
    `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "waitlist_active_key" ON "events"."waitlist" ("event_id", "member_id") WHERE status IN ('waiting', 'promoting')`,
    );
    await queryRunner.query(
      `CREATE INDEX "waitlist_line_idx" ON "events"."waitlist" ("event_id", "joined_waitlist_at", "id") WHERE status = 'waiting'`,
    );
    await queryRunner.query(
      `CREATE INDEX "waitlist_member_idx" ON "events"."waitlist" ("member_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "waitlist_participant_idx" ON "events"."waitlist" ("participant_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "events"."waitlist"`);
    await queryRunner.query(
      `ALTER TABLE "events"."participants" DROP CONSTRAINT "participants_status_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "events"."participants" ADD CONSTRAINT "participants_status_check" CHECK (status IN ('pending', 'joined', 'left', 'failed'))`,
    );
  }
}
