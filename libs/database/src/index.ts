export * from './database-options';
export * from './database.module';
export * from './provision';
export * from './postgres-errors';
export * from './query-rows';
export * from './run-migrations';
export * from './transactions';
export * from './outbox';
