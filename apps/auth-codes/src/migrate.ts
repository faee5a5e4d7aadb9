import { runMigrations } from '@up/database';
import { AUTH_CODES_DATABASE } from './database';

void runMigrations(AUTH_CODES_DATABASE);
