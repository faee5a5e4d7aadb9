/** The PostgreSQL schema the auth-codes service owns. */
export const AUTH_SCHEMA = 'auth';
