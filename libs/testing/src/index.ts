export * from './test-infra';
export * from './error-code';
export * from './telegram';
export * from './platform';
export * from './platform-apps';
export * from './platform-http';
export * from './platform-database';
export * from './club.factory';
