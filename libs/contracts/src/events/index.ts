export * from './events.patterns';
export * from './event-body.dto';
export * from './event-requests.dto';
export * from './event.views';
export * from './event-bus-events';
export * from './event-validators';
