export * from './correlation';
export * from './logging.module';
export * from './pino-options';
export * from './log-destination';
export * from './log-redaction';
