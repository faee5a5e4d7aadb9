import { DynamicModule, Module } from '@nestjs/common';
import { BusModule } from '@up/bus';
import { ConfigModule } from '@up/config';
import { DatabaseModule, OutboxModule } from '@up/database';
import { HealthModule } from '@up/health';
import { LoggingModule } from '@up/logging';
import { EventsConfig } from './config/events.config';
import { EVENTS_DATABASE } from './database';
import { EVENTS_SCHEMA } from './shared/schema';
import { CalendarModule } from './calendar/calendar.module';
import { EventsModule } from './events/events.module';
import { ParticipationModule } from './participation/participation.module';
import { RemindersModule } from './reminders/reminders.module';

/**
 * The events service. Feature modules go in `imports` below; `forRoot` adds the infrastructure
 * around them with the validated configuration.
 */
@Module({
  imports: [EventsModule, ParticipationModule, CalendarModule, RemindersModule],
})
export class AppModule {
  static forRoot(config: EventsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(EventsConfig, config),
        LoggingModule.forRoot('events'),
        BusModule.forRoot('events'),
        DatabaseModule.forService(EVENTS_DATABASE),
        OutboxModule.forService(EVENTS_SCHEMA),
        HealthModule.forService('events'),
      ],
    };
  }
}
