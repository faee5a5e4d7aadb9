/** Injection token: the PostgreSQL schema whose outbox tables a service uses. */
export const OUTBOX_SCHEMA = Symbol('OUTBOX_SCHEMA');
