import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate, pendingSchemaChanges, ServiceDatabase } from '@up/database';
import { createTestDatabase, TestDatabase } from './test-infra';

/** A fresh database with one service's schema migrated exactly as production migrates it. */
export interface MigratedTestDatabase {
  database: TestDatabase;
  dataSource: DataSource;
  /** Migrations that ran, in order. */
  migrations: string[];
  /** SQL that would bring the schema in line with the entities: empty when they agree (no drift). */
  pendingSchemaChanges(): Promise<string[]>;
  /** Destroys the DataSource and drops the database. */
  close(): Promise<void>;
}

/**
 * For each service's no-drift test (and repository tests that want a migrated schema):
 *
 * ```ts
 * let db: MigratedTestDatabase;
 * beforeAll(async () => { db = await createMigratedTestDatabase(usersDatabase); });
 * afterAll(() => db?.close());
 * it('has migrations that match the entities', async () => {
 *   await expect(db.pendingSchemaChanges()).resolves.toEqual([]);
 * });
 * ```
 */
export async function createMigratedTestDatabase(
  service: ServiceDatabase,
): Promise<MigratedTestDatabase> {
  const database = await createTestDatabase();
  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource(
      dataSourceOptions({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: 2 }, service),
    ).initialize();
    const migrations = await migrate(dataSource, service.schema);
    const ready = dataSource;
    return {
      database,
      dataSource: ready,
      migrations,
      pendingSchemaChanges: () => pendingSchemaChanges(ready),
      close: async () => {
        try {
          await ready.destroy();
        } finally {
          await database.drop();
        }
      },
    };
  } catch (error) {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database.drop();
    throw error;
  }
}

/**
 * The migration checks every service's schema gets: the migrations produce exactly the entities
 * (no drift), and every migration rolls back and forth. `table` (`schema.table`) is one the first
 * migration creates; `more` adds the service's own schema tests against the same database.
 */
export function describeServiceMigrations(
  service: ServiceDatabase,
  options: { table: string },
  more?: (db: () => MigratedTestDatabase) => void,
): void {
  describe(`${service.schema} schema migrations`, () => {
    let db: MigratedTestDatabase;

    beforeAll(async () => {
      db = await createMigratedTestDatabase(service);
    });

    afterAll(async () => {
      await db?.close();
    });

    it('match the entities exactly (no drift)', async () => {
      await expect(db.pendingSchemaChanges()).resolves.toEqual([]);
    });

    it('roll every migration back and forth cleanly', async () => {
      const { dataSource } = db;
      for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
      await expect(
        dataSource.query('SELECT to_regclass($1) AS t', [options.table]),
      ).resolves.toEqual([{ t: null }]);
      await migrate(dataSource, service.schema);
      await expect(db.pendingSchemaChanges()).resolves.toEqual([]);
    });

    more?.(() => db);
  });
}

/** A fresh, empty database with a DataSource on it: for tests of the database toolkit itself. */
export interface TestDataSource {
  database: TestDatabase;
  dataSource: DataSource;
  /** Destroys the DataSource and drops the database. */
  close(): Promise<void>;
}

export async function createTestDataSource(
  pool: { max: number; connectionTimeoutMillis?: number } = { max: 2 },
): Promise<TestDataSource> {
  const database = await createTestDatabase();
  const dataSource = await new DataSource({ type: 'postgres', url: database.url, extra: pool })
    .initialize()
    .catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
  return {
    database,
    dataSource,
    close: async () => {
      try {
        await dataSource.destroy();
      } finally {
        await database.drop();
      }
    },
  };
}
