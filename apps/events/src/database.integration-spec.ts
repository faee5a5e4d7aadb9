import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@up/testing';
import { dataSourceOptions, migrate, pendingSchemaChanges } from '@up/database';
import { EVENTS_DATABASE } from './database';

describe('events database', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(
      dataSourceOptions({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: 2 }, EVENTS_DATABASE),
    ).initialize();
    await migrate(dataSource, EVENTS_DATABASE.schema);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('has migrations that match the entities exactly (no drift)', async () => {
    await expect(pendingSchemaChanges(dataSource)).resolves.toEqual([]);
  });

  it('rolls every migration back and forth cleanly', async () => {
    for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
    await expect(dataSource.query(`SELECT to_regclass('events.events') AS t`)).resolves.toEqual([
      { t: null },
    ]);
    await migrate(dataSource, EVENTS_DATABASE.schema);
    await expect(pendingSchemaChanges(dataSource)).resolves.toEqual([]);
  });

  it('refuses more seats than the capacity, whatever the code above it does', async () => {
    await expect(
      dataSource.query(
        `INSERT INTO events.events (title, start_date, capacity, seats_taken, creator_id, timezone)
         VALUES ('x', now() + interval '1 day', 1, 2, gen_random_uuid(), 'UTC')`,
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
