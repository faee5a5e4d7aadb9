import { Module } from '@nestjs/common';
import { TransactionRunner } from '@up/database';
import { RefreshTokensController } from './refresh-tokens.controller';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';

/** Needs DatabaseModule.forService(AUTH_CODES_DATABASE) in the app module (the DataSource). */
@Module({
  controllers: [RefreshTokensController],
  providers: [RefreshTokensService, RefreshTokensRepository, TransactionRunner],
  exports: [RefreshTokensService],
})
export class RefreshTokensModule {}
