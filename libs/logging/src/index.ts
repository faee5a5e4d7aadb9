export * from './correlation';
export * from './logging.module';
export * from './pino-options';
