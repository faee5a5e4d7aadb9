export * from './common-env';
export * from './config.module';
export * from './env-decorators';
export * from './load-config';
export * from './node-env';
export * from './secret-strength';
export * from './strong-secret';
export * from './telegram-bot-token';
