import { DataSource } from 'typeorm';
import { loadConfig } from '@up/config';
import { dataSourceOptions, ensureDatabase, migrate } from '@up/database';
import { runCommand } from '@up/health';
import { EventsConfig } from './config/events.config';
import { EVENTS_DATABASE } from './database';

/** Creates the database and schema and runs pending migrations, then exits (the production migrate Job). */
void runCommand('events-migrate', async (logger) => {
  const config = loadConfig(EventsConfig);
  await ensureDatabase(config.DATABASE_URL);
  const dataSource = await new DataSource(dataSourceOptions(config, EVENTS_DATABASE)).initialize();
  try {
    const ran = await migrate(dataSource, EVENTS_DATABASE.schema);
    logger.info(
      { schema: EVENTS_DATABASE.schema, migrations: ran },
      `${ran.length} migration(s) ran`,
    );
  } finally {
    await dataSource.destroy();
  }
});
