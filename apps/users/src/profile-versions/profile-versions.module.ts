import { Module } from '@nestjs/common';
import { ProfileVersionPublisher } from './profile-version.publisher';
import { UsersRedis } from './users-redis';

/** The publication of members' profile versions to Redis. */
@Module({
  providers: [UsersRedis, ProfileVersionPublisher],
  exports: [ProfileVersionPublisher, UsersRedis],
})
export class ProfileVersionsModule {}
