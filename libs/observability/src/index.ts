export * from './error-scrubbing';
export * from './error-tracking';
export * from './expected-error';
export * from './http-server-spans';
export * from './trace-context';
export * from './tracing';
