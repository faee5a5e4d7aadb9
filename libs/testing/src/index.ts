export * from './test-infra';
export * from './telegram';
