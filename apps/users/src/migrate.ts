import { DataSource } from 'typeorm';
import { loadConfig } from '@up/config';
import { dataSourceOptions, ensureDatabase, migrate } from '@up/database';
import { runCommand } from '@up/health';
import { UsersConfig } from './config/users.config';
import { usersDatabase } from './database';

/** Creates the database and schema and runs pending migrations, then exits (the production migrate Job). */
void runCommand('users-migrate', async (logger) => {
  const config = loadConfig(UsersConfig);
  await ensureDatabase(config.DATABASE_URL);
  const dataSource = await new DataSource(dataSourceOptions(config, usersDatabase)).initialize();
  try {
    const ran = await migrate(dataSource, usersDatabase.schema);
    logger.info(
      { schema: usersDatabase.schema, migrations: ran },
      `${ran.length} migration(s) ran`,
    );
  } finally {
    await dataSource.destroy();
  }
});
