export * from './event-inbox';
export * from './outbox';
export * from './outbox-relay';
export * from './outbox.module';
export * from './outbox.repository';
export * from './outbox.tables';
export * from './outbox.health';
export * from './outbox.metrics';
