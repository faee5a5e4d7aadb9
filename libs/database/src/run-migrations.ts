import { DataSource } from 'typeorm';
import { loadConfig, MigrationEnv } from '@up/config';
import { runCommand } from '@up/health';
import { dataSourceOptions, ServiceDatabase } from './database-options';
import { ensureDatabase, migrate } from './provision';

/**
 * The production migrate command of one service (its `migrate.ts`, run by the Kubernetes Job and
 * `npm run migrate`): creates the database and schema, runs pending migrations, then exits. It
 * reads only the database variables (MigrationEnv), not the service's whole configuration.
 */
export function runMigrations(database: ServiceDatabase): Promise<void> {
  return runCommand(`${database.schema}-migrate`, async (logger) => {
    const config = loadConfig(MigrationEnv);
    await ensureDatabase(config.DATABASE_URL);
    const dataSource = await new DataSource(dataSourceOptions(config, database)).initialize();
    try {
      const ran = await migrate(dataSource, database.schema);
      logger.info({ schema: database.schema, migrations: ran }, `${ran.length} migration(s) ran`);
    } finally {
      await dataSource.destroy();
    }
  });
}
