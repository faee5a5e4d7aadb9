import { Module } from '@nestjs/common';
import { TransactionRunner } from '@up/database';
import { ProfileVersionsModule } from '../profile-versions/profile-versions.module';
import { MemberRolesPolicy } from './member-roles.policy';
import { MemberTransactions } from './member-transactions';
import { MembersRepository } from './members.repository';

/**
 * What every feature of the service shares to read and change members: the repository, the
 * transactions that publish profile versions, and the role policy. Features import this module,
 * not each other, so there are no cycles between them.
 */
@Module({
  imports: [ProfileVersionsModule],
  providers: [TransactionRunner, MemberTransactions, MembersRepository, MemberRolesPolicy],
  exports: [MemberTransactions, MembersRepository, MemberRolesPolicy, ProfileVersionsModule],
})
export class MembersStoreModule {}
