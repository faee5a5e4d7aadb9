import { Module } from '@nestjs/common';
import { MemberContext } from './member-context';
import { MembersService } from './members.service';

/** The member behind a Telegram user (cached), and their language and reachability per update. */
@Module({
  providers: [MembersService, MemberContext],
  exports: [MembersService],
})
export class MembersModule {}
