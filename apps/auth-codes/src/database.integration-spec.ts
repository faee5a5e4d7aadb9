import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@up/testing';
import { dataSourceOptions, migrate, pendingSchemaChanges } from '@up/database';
import { AUTH_CODES_DATABASE } from './database';

describe('auth-codes database', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(
      dataSourceOptions({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: 2 }, AUTH_CODES_DATABASE),
    ).initialize();
    await migrate(dataSource, AUTH_CODES_DATABASE.schema);
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
    await expect(
      dataSource.query(`SELECT to_regclass('auth.refresh_tokens') AS t`),
    ).resolves.toEqual([{ t: null }]);
    await migrate(dataSource, AUTH_CODES_DATABASE.schema);
    await expect(pendingSchemaChanges(dataSource)).resolves.toEqual([]);
  });
});
