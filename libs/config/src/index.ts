export * from './common-env';
export * from './config.module';
export * from './env-decorators';
export * from './load-config';
