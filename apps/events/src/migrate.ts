import { runMigrations } from '@up/database';
import { EventsConfig } from './config/events.config';
import { EVENTS_DATABASE } from './database';

void runMigrations(EventsConfig, EVENTS_DATABASE);
