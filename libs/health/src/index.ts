export * from './bus-service-health.indicator';
export * from './health.module';
export * from './lifecycle';
export * from './redis-health.indicator';
export * from './service-health';
export * from './timeout';
export * from './ops';
