import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events and their participants (schema `events`). Hand-written to match the entities exactly
 * (the no-drift test compares them). The partial indexes carry the hot queries: the upcoming
 * listing (`events_upcoming_idx`), one live participation per member (`participants_active_key`),
 * participant and member lists, and the recovery sweep.
 */
export class CreateEvents1795310283854 implements MigrationInterface {
  name = 'CreateEvents1795310283854';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "events"."events" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "title" character varying(200) NOT NULL,
        "description" text,
        "start_date" TIMESTAMP WITH TIME ZONE NOT NULL,
        "end_date" TIMESTAMP WITH TIME ZONE,
        "location" character varying(500),
        "price" integer NOT NULL DEFAULT 0,
        "image_url" character varying(2048),
        "capacity" integer,
        "seats_taken" integer NOT NULL DEFAULT 0,
        "is_active" boolean NOT NULL DEFAULT true,
        "creator_id" uuid NOT NULL,
        "timezone" character varying(64) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "events_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "events_price_check" CHECK (price >= 0),
        CONSTRAINT "events_capacity_check" CHECK (capacity IS NULL OR capacity >= 1),
        CONSTRAINT "events_seats_taken_check"
          CHECK (seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)),
        CONSTRAINT "events_end_date_check" CHECK (end_date IS NULL OR end_date >= start_date)
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "events_upcoming_idx" ON "events"."events" ("start_date", "id") WHERE is_active`,
    );
    await queryRunner.query(
      `CREATE INDEX "events_start_date_idx" ON "events"."events" ("start_date", "id")`,
    );

    await queryRunner.query(`
      CREATE TABLE "events"."participants" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "event_id" uuid NOT NULL,
        "member_id" uuid NOT NULL,
        "attempt" integer NOT NULL,
        "status" character varying(16) NOT NULL,
        "price" integer NOT NULL,
        "joined_at" TIMESTAMP WITH TIME ZONE,
        "left_at" TIMESTAMP WITH TIME ZONE,
        "refund_state" character varying(8),
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "participants_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "participants_status_check"
          CHECK (status IN ('pending', 'joined', 'left', 'failed')),
        CONSTRAINT "participants_refund_state_check"
          CHECK (refund_state IS NULL OR refund_state IN ('due', 'done')),
        CONSTRAINT "participants_price_check" CHECK (price >= 0),
        CONSTRAINT "participants_attempt_check" CHECK (attempt >= 1),
        CONSTRAINT "participants_event_id_fkey" FOREIGN KEY ("event_id")
          REFERENCES "events"."events" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
      )
    `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "participants_active_key" ON "events"."participants" ("event_id", "member_id") WHERE status IN ('pending', 'joined')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "participants_attempt_key" ON "events"."participants" ("event_id", "member_id", "attempt")`,
    );
    await queryRunner.query(
      `CREATE INDEX "participants_event_joined_idx" ON "events"."participants" ("event_id", "joined_at", "id") WHERE status = 'joined'`,
    );
    await queryRunner.query(
      `CREATE INDEX "participants_member_idx" ON "events"."participants" ("member_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "participants_recovery_idx" ON "events"."participants" ("updated_at") WHERE status = 'pending' OR refund_state = 'due'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "events"."participants"`);
    await queryRunner.query(`DROP TABLE "events"."events"`);
  }
}
