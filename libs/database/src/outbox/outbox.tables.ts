import type { QueryRunner } from 'typeorm';

function quoted(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

/**
 * The outbox and processed-events tables every publishing or consuming service keeps in its own
 * schema. They are not TypeORM entities: only the outbox repositories touch them, with SQL, so
 * each service's migration creates them through these two functions.
 */
export async function createOutboxTables(runner: QueryRunner, schema: string): Promise<void> {
  const s = quoted(schema);
  await runner.query(`
    CREATE TABLE ${s}."outbox" (
      "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      "event_id" uuid NOT NULL,
      "name" text NOT NULL,
      "payload" jsonb NOT NULL,
      "correlation_id" text,
      "occurred_at" timestamptz NOT NULL DEFAULT now(),
      "attempts" integer NOT NULL DEFAULT 0,
      "last_error" text
    )`);
  await runner.query(`
    CREATE TABLE ${s}."processed_events" (
      "consumer" text NOT NULL,
      "event_id" uuid NOT NULL,
      "processed_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
    )`);
  await runner.query(
    `CREATE INDEX "processed_events_processed_at_idx" ON ${s}."processed_events" ("processed_at")`,
  );
}

/**
 * The trace context of the transaction that wrote each outbox row (W3C `traceparent` and
 * `tracestate`), so the relay's publish carries it to the consumers. Nullable: rows written while
 * tracing is off, or before this column, have none.
 */
export async function addOutboxTraceContext(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(
    `ALTER TABLE ${quoted(schema)}."outbox" ADD "traceparent" text, ADD "tracestate" text`,
  );
}

export async function dropOutboxTraceContext(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(
    `ALTER TABLE ${quoted(schema)}."outbox" DROP COLUMN "traceparent", DROP COLUMN "tracestate"`,
  );
}

export async function dropOutboxTables(runner: QueryRunner, schema: string): Promise<void> {
  const s = quoted(schema);
  await runner.query(`DROP TABLE ${s}."processed_events"`);
  await runner.query(`DROP TABLE ${s}."outbox"`);
}
