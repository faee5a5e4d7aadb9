import type { ServiceDatabase } from '@up/database';
import { CreateRefreshTokens1763776000000 } from './migrations/1763776000000-createRefreshTokens';
import { AddSessions1797000000000 } from './migrations/1797000000000-addSessions';
import { AddSessionEpoch1798110000000 } from './migrations/1798110000000-addSessionEpoch';
import { RefreshTokenEntity } from './refresh-tokens/refresh-token.entity';
import { SessionEntity } from './refresh-tokens/session.entity';
import { AUTH_SCHEMA } from './shared/schema';

/** The auth-codes service's tables and migrations, for DatabaseModule, the migrate Job and the CLI. */
export const AUTH_CODES_DATABASE: ServiceDatabase = {
  schema: AUTH_SCHEMA,
  entities: [RefreshTokenEntity, SessionEntity],
  migrations: [
    CreateRefreshTokens1763776000000,
    AddSessions1797000000000,
    AddSessionEpoch1798110000000,
  ],
};
