import { Global, Module } from '@nestjs/common';
import { MembersController } from './members.controller';
import { ProfileCache } from './profile-cache';
import { ProfileInvalidation } from './profile-invalidation';

/**
 * This replica's profile cache and its invalidation (member.updated, member.coins_changed, and
 * the bot's own 403s), global so the delivery queue can invalidate too.
 */
@Global()
@Module({
  controllers: [MembersController],
  providers: [{ provide: ProfileCache, useFactory: () => new ProfileCache() }, ProfileInvalidation],
  exports: [ProfileCache, ProfileInvalidation],
})
export class ProfileCacheModule {}
