export * from './bus/message';
export * from './errors/error-codes';
export * from './errors/field-errors';
export * from './health/health.contract';
export * from './pagination/page-window';
export * from './users';
export * from './auth';
export * from './events';
