import { runMigrations } from '@up/database';
import { AuthCodesConfig } from './config/auth-codes.config';
import { AUTH_CODES_DATABASE } from './database';

void runMigrations(AuthCodesConfig, AUTH_CODES_DATABASE);
