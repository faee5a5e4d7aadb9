import { DataSource } from 'typeorm';
import { loadConfig } from '@up/config';
import { dataSourceOptions, ensureDatabase, migrate } from '@up/database';
import { runCommand } from '@up/health';
import { AuthCodesConfig } from './config/auth-codes.config';
import { AUTH_CODES_DATABASE } from './database';

/** Creates the database and schema and runs pending migrations, then exits (the production migrate Job). */
void runCommand('auth-codes-migrate', async (logger) => {
  const config = loadConfig(AuthCodesConfig);
  await ensureDatabase(config.DATABASE_URL);
  const dataSource = await new DataSource(
    dataSourceOptions(config, AUTH_CODES_DATABASE),
  ).initialize();
  try {
    const ran = await migrate(dataSource, AUTH_CODES_DATABASE.schema);
    logger.info(
      { schema: AUTH_CODES_DATABASE.schema, migrations: ran },
      `${ran.length} migration(s) ran`,
    );
  } finally {
    await dataSource.destroy();
  }
});
