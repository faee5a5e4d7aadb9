export * from './database-options';
export * from './database.module';
export * from './provision';
