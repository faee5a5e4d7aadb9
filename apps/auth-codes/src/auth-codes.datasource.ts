import { DataSource } from 'typeorm';
import { loadConfig } from '@up/config';
import { dataSourceOptions } from '@up/database';
import { AuthCodesConfig } from './config/auth-codes.config';
import { AUTH_CODES_DATABASE } from './database';

/** For the TypeORM CLI (`typeorm -d dist/.../auth-codes.datasource.js migration:show`). */
export default new DataSource(dataSourceOptions(loadConfig(AuthCodesConfig), AUTH_CODES_DATABASE));
