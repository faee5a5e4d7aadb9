export * from './error-scrubbing';
export * from './error-tracking';
export * from './expected-error';
export * from './trace-context';
export * from './tracing';
