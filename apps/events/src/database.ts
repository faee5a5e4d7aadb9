import type { ServiceDatabase } from '@up/database';
import { EventEntity } from './events/event.entity';
import { CreateEvents1795310283854 } from './migrations/1795310283854-createEvents';
import { ParticipantEntity } from './participation/participant.entity';
import { EVENTS_SCHEMA } from './shared/schema';

/**
 * The events service's tables, in PostgreSQL schema `events`: every entity and migration of the
 * service is listed here (the app, the migrate command and the TypeORM CLI all read this list).
 */
export const EVENTS_DATABASE: ServiceDatabase = {
  schema: EVENTS_SCHEMA,
  entities: [EventEntity, ParticipantEntity],
  migrations: [CreateEvents1795310283854],
};
