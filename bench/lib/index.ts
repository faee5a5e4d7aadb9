export * from './closed-loop';
export * from './latency';
export * from './platform-processes';
export * from './report';
export * from './cpu-profile';
export * from './targets';
