import { Module } from '@nestjs/common';
import { TransactionRunner } from '@up/database';
import { RefreshTokensController } from './refresh-tokens.controller';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/**
 * Refresh-token families and the sessions they are (one feature: a session is a family, and its
 * row changes in the token's transactions). Needs DatabaseModule.forService(AUTH_CODES_DATABASE)
 * in the app module (the DataSource).
 */
@Module({
  controllers: [RefreshTokensController, SessionsController],
  providers: [
    RefreshTokensService,
    RefreshTokensRepository,
    SessionsService,
    SessionsRepository,
    TransactionRunner,
  ],
  exports: [RefreshTokensService],
})
export class RefreshTokensModule {}
