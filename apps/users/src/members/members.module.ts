import { Module } from '@nestjs/common';
import { ReferralsModule } from '../referrals/referrals.module';
import { MemberRegistrar } from './member-registrar';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { MembersStoreModule } from './members-store.module';

@Module({
  imports: [MembersStoreModule, ReferralsModule],
  controllers: [MembersController],
  providers: [MembersService, MemberRegistrar],
  exports: [MembersService, MemberRegistrar],
})
export class MembersModule {}
