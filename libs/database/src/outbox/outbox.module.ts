import { DynamicModule, Module } from '@nestjs/common';
import { SERVICE_HEALTH_CHECKS } from '@up/health';
import { TransactionRunner } from '../transactions';
import { EventInbox } from './event-inbox';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { outboxHealthCheck } from './outbox.health';
import { OutboxMetrics } from './outbox.metrics';
import { OUTBOX_SCHEMA } from './outbox.options';
import { OutboxRepository } from './outbox.repository';
import { ProcessedEventsRepository } from './processed-events.repository';

/**
 * A service's outbox (publishing) and inbox (consuming) over the tables in its schema; needs
 * DatabaseModule and BusModule. Global, so every feature module injects Outbox and EventInbox.
 */
@Module({})
export class OutboxModule {
  static forService(schema: string): DynamicModule {
    return {
      module: OutboxModule,
      global: true,
      providers: [
        { provide: OUTBOX_SCHEMA, useValue: schema },
        OutboxRepository,
        ProcessedEventsRepository,
        OutboxRelay,
        OutboxMetrics,
        Outbox,
        EventInbox,
        TransactionRunner,
        // The service's health report (and so its readiness) shows the relay's lag.
        {
          provide: SERVICE_HEALTH_CHECKS,
          inject: [OutboxRelay],
          useFactory: (relay: OutboxRelay) => [outboxHealthCheck(relay)],
        },
      ],
      exports: [Outbox, OutboxRelay, EventInbox, TransactionRunner, SERVICE_HEALTH_CHECKS],
    };
  }
}
