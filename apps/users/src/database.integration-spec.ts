import { describeServiceMigrations } from '@up/testing';
import { usersDatabase } from './database';

describeServiceMigrations(usersDatabase, { table: 'users.members' });
