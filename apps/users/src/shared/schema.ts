/** The PostgreSQL schema the users service owns. */
export const USERS_SCHEMA = 'users';
