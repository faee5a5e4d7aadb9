import { runMigrations } from '@up/database';
import { UsersConfig } from './config/users.config';
import { usersDatabase } from './database';

void runMigrations(UsersConfig, usersDatabase);
