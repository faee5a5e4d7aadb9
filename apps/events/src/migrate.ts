import { runMigrations } from '@up/database';
import { EVENTS_DATABASE } from './database';

void runMigrations(EVENTS_DATABASE);
