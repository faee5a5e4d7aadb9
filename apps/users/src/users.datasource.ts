import { DataSource } from 'typeorm';
import { loadConfig } from '@up/config';
import { dataSourceOptions } from '@up/database';
import { UsersConfig } from './config/users.config';
import { usersDatabase } from './database';

/**
 * The users service's DataSource for the TypeORM CLI, e.g.
 * `npx typeorm-ts-node-commonjs -r tsconfig-paths/register -d apps/users/src/users.datasource.ts migration:generate apps/users/src/migrations/<Name>`.
 */
export default new DataSource(dataSourceOptions(loadConfig(UsersConfig), usersDatabase));
