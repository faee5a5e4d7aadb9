import { Module } from '@nestjs/common';
import { MemberTransactions } from './member-transactions';
import { ProfileVersionPublisher } from './profile-version.publisher';
import { UsersRedis } from './users-redis';

/** Transactions over members and the publication of their profile versions to Redis. */
@Module({
  providers: [UsersRedis, ProfileVersionPublisher, MemberTransactions],
  exports: [ProfileVersionPublisher, MemberTransactions, UsersRedis],
})
export class ProfileVersionsModule {}
