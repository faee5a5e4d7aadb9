import { DataSource } from 'typeorm';
import { loadConfig } from '@up/config';
import { dataSourceOptions } from '@up/database';
import { EventsConfig } from './config/events.config';
import { EVENTS_DATABASE } from './database';

/**
 * The events service's DataSource for the TypeORM CLI, e.g.
 * `npx typeorm-ts-node-commonjs -r tsconfig-paths/register -d apps/events/src/events.datasource.ts migration:generate apps/events/src/migrations/<Name>`.
 */
export default new DataSource(dataSourceOptions(loadConfig(EventsConfig), EVENTS_DATABASE));
