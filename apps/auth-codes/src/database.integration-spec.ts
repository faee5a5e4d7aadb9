import { describeServiceMigrations } from '@up/testing';
import { AUTH_CODES_DATABASE } from './database';

describeServiceMigrations(AUTH_CODES_DATABASE, { table: 'auth.refresh_tokens' });
