export * from './default-metrics';
export * from './event-loop.indicator';
export * from './ops-server';
export * from './metric-once';
