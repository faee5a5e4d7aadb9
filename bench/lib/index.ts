export * from './closed-loop';
export * from './latency';
export * from './report';
