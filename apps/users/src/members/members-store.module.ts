import { Module } from '@nestjs/common';
import { ProfileVersionsModule } from '../profile-versions/profile-versions.module';
import { MemberRolesPolicy } from './member-roles.policy';
import { MembersRepository } from './members.repository';

/**
 * What every feature of the service shares to read and change members: the repository, the
 * transactions that publish profile versions, and the role policy. Features import this module,
 * not each other, so there are no cycles between them.
 */
@Module({
  imports: [ProfileVersionsModule],
  providers: [MembersRepository, MemberRolesPolicy],
  exports: [MembersRepository, MemberRolesPolicy, ProfileVersionsModule],
})
export class MembersStoreModule {}
