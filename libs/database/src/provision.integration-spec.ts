import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, TEST_POSTGRES_URL, TestDatabase } from '@up/testing';
import { dataSourceOptions } from './database-options';
import { ensureDatabase, migrate, splitDatabaseUrl } from './provision';

const SCHEMA = 'provision_test';

/** Sleeps inside its transaction, so two replicas migrating at once would overlap without a lock. */
class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('SELECT pg_sleep(0.3)');
    await runner.query(`CREATE TABLE "${SCHEMA}"."widgets" ("id" integer PRIMARY KEY)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${SCHEMA}"."widgets"`);
  }
}

function dataSourceFor(url: string): DataSource {
  return new DataSource(
    dataSourceOptions(
      { DATABASE_URL: url, DATABASE_POOL_SIZE: 2 },
      { schema: SCHEMA, entities: [], migrations: [CreateWidgets1700000000000] },
    ),
  );
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe(splitDatabaseUrl.name, () => {
  it('names the database and points the admin URL at the maintenance database', () => {
    expect(splitDatabaseUrl('postgres://u:p@db.example:5433/up_club?sslmode=require')).toEqual({
      database: 'up_club',
      adminUrl: 'postgres://u:p@db.example:5433/postgres?sslmode=require',
    });
    expect(splitDatabaseUrl('postgres://localhost').database).toBe('postgres');
  });
});

describe('database provisioning', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  describe(ensureDatabase.name, () => {
    it('creates a missing database, and tolerates replicas creating it at the same time', async () => {
      const url = new URL(database.url);
      const name = `${database.name}_fresh`;
      url.pathname = `/${name}`;
      try {
        await Promise.all([ensureDatabase(url.toString()), ensureDatabase(url.toString())]);
        expect(await databaseExists(name)).toBe(true);
        await ensureDatabase(url.toString());
      } finally {
        const admin = new Client({ connectionString: TEST_POSTGRES_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      }
    });
  });

  describe(migrate.name, () => {
    it('creates the schema and runs each migration once when replicas start together', async () => {
      const replicas = [dataSourceFor(database.url), dataSourceFor(database.url)];
      await Promise.all(replicas.map((ds) => ds.initialize()));
      try {
        const ran = await Promise.all(replicas.map((ds) => migrate(ds, SCHEMA)));

        expect(ran.flat()).toEqual(['CreateWidgets1700000000000']);
        const [{ count }] = await replicas[0].query(
          `SELECT count(*)::int AS count FROM "${SCHEMA}"."${SCHEMA}_migrations"`,
        );
        expect(count).toBe(1);
        expect(await migrate(replicas[1], SCHEMA)).toEqual([]);
      } finally {
        await Promise.all(replicas.map((ds) => ds.destroy()));
      }
    });
  });
});
