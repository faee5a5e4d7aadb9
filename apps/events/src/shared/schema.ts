/** The PostgreSQL schema the events service owns; nobody else reads it. */
export const EVENTS_SCHEMA = 'events';
