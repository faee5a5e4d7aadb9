import { runMigrations } from '@up/database';
import { usersDatabase } from './database';

void runMigrations(usersDatabase);
