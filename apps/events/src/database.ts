import type { ServiceDatabase } from '@up/database';
import { EventEntity } from './events/event.entity';
import { CreateEvents1795310283854 } from './migrations/1795310283854-createEvents';
import { CreateOutbox1796000000001 } from './migrations/1796000000001-createOutbox';
import { AddWaitlist1796000000002 } from './migrations/1796000000002-addWaitlist';
import { AddReminders1797000000001 } from './migrations/1797000000001-addReminders';
import { AddOutboxTraceContext1799120000001 } from './migrations/1799120000001-addOutboxTraceContext';
import { ParticipantEntity } from './participation/participant.entity';
import { WaitlistEntity } from './participation/waitlist.entity';
import { ReminderSentEntity } from './reminders/reminder-sent.entity';
import { EVENTS_SCHEMA } from './shared/schema';

/**
 * The events service's tables, in PostgreSQL schema `events`: every entity and migration of the
 * service is listed here (the app, the migrate command and the TypeORM CLI all read this list).
 */
export const EVENTS_DATABASE: ServiceDatabase = {
  schema: EVENTS_SCHEMA,
  entities: [EventEntity, ParticipantEntity, WaitlistEntity, ReminderSentEntity],
  migrations: [
    CreateEvents1795310283854,
    CreateOutbox1796000000001,
    AddWaitlist1796000000002,
    AddReminders1797000000001,
    AddOutboxTraceContext1799120000001,
  ],
};
