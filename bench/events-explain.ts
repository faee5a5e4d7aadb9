/**
 * The upcoming-events queries at scale (`npm run bench:events:explain`): seeds N events (default
 * 1,000,000; 90 % active, start dates spread over two years before and after now) in a database
 * of its own, migrated with the events service's own migrations, then prints the plans PostgreSQL
 * picks, with EXPLAIN (ANALYZE, BUFFERS), for the queries behind GET /api/v1/events/upcoming:
 * the first page, a deep page, and the total. Writes bench/results/events-explain-*.json.
 *
 *   npm run bench:events:explain [-- --rows 1000000 --keep]
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, ensureDatabase, migrate, splitDatabaseUrl } from '@up/database';
import { EVENTS_DATABASE } from '../apps/events/src/database';
import { argValue, printRuntime, printTable, writeResults } from './lib';

const rows = Number(argValue('rows', '1000000'));
const keep = process.argv.includes('--keep');
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/up_club';
const runId = randomBytes(4).toString('hex');
const databaseName = `up_bench_explain_${runId}`;
const databaseUrl = (() => {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

/** The statements EventsService.listUpcoming sends (TypeORM's SELECT list shortened to *). */
const QUERIES = {
  'first page': `SELECT * FROM events.events e
                  WHERE e.is_active AND e.start_date >= now()
                  ORDER BY e.start_date ASC, e.id ASC LIMIT 10 OFFSET 0`,
  'page at offset 1000': `SELECT * FROM events.events e
                  WHERE e.is_active AND e.start_date >= now()
                  ORDER BY e.start_date ASC, e.id ASC LIMIT 10 OFFSET 1000`,
  total: `SELECT count(*)::int AS total FROM events.events WHERE is_active AND start_date >= now()`,
} as const;

async function seed(client: Client): Promise<void> {
  const started = Date.now();
  // One INSERT ... SELECT: start dates every ~2 minutes from two years ago to two years ahead,
  // every tenth event inactive, some with capacity and price.
  await client.query(
    `INSERT INTO events.events
       (title, description, start_date, location, price, capacity, is_active, creator_id, timezone)
     SELECT 'Event ' || i, 'Seeded for the plan check',
            now() - interval '730 days' + (i * (interval '1460 days' / $1::int)),
            'Moscow', (i % 5) * 10, CASE WHEN i % 3 = 0 THEN 50 END, i % 10 <> 0,
            '00000000-0000-4000-8000-000000000001', 'Europe/Moscow'
       FROM generate_series(1, $1::int) AS i`,
    [rows],
  );
  await client.query('VACUUM ANALYZE events.events');
  process.stdout.write(
    `Seeded ${rows} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

async function main(): Promise<void> {
  printRuntime();
  await ensureDatabase(databaseUrl);
  const dataSource = await new DataSource(
    dataSourceOptions({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: 2 }, EVENTS_DATABASE),
  ).initialize();
  await migrate(dataSource, EVENTS_DATABASE.schema);
  await dataSource.destroy();

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const plans: Record<string, { plan: string; executionMs: number; usesUpcomingIndex: boolean }> =
    {};
  try {
    await seed(client);
    const [{ upcoming }] = (
      await client.query<{ upcoming: number }>(
        'SELECT count(*)::int AS upcoming FROM events.events WHERE is_active AND start_date >= now()',
      )
    ).rows;
    process.stdout.write(`${upcoming} of ${rows} events are active and upcoming\n\n`);
    for (const [name, sql] of Object.entries(QUERIES)) {
      const { rows: lines } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
      );
      const plan = lines.map((line) => line['QUERY PLAN']).join('\n');
      const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
      plans[name] = {
        plan,
        executionMs,
        usesUpcomingIndex: plan.includes('events_upcoming_idx') && !plan.includes('Seq Scan'),
      };
      process.stdout.write(`-- ${name}\n${sql.replace(/\s+/g, ' ')}\n${plan}\n\n`);
    }
  } finally {
    await client.end();
  }
  printTable(`Upcoming listing over ${rows} events`, [
    ...Object.entries(plans).map(([query, p]) => ({
      query,
      'execution ms': p.executionMs,
      'index scan on events_upcoming_idx': p.usesUpcomingIndex ? 'yes' : 'NO',
    })),
  ]);
  const path = writeResults('events-explain', { rows, plans });
  process.stdout.write(`Results written to ${path}\n`);
  if (Object.values(plans).some((p) => !p.usesUpcomingIndex)) process.exitCode = 1;
}

async function dropDatabase(): Promise<void> {
  if (keep) {
    process.stdout.write(`Kept database ${databaseName}\n`);
    return;
  }
  const admin = new Client({ connectionString: splitDatabaseUrl(databaseUrl).adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(
      `bench:events:explain failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  })
  .finally(() =>
    dropDatabase().catch((error: unknown) => {
      process.exitCode = 1;
      process.stderr.write(`dropping ${databaseName} failed: ${String(error)}\n`);
    }),
  );
