import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { ProfileHandler } from './profile.handler';

@Module({
  imports: [MembersModule],
  providers: [ProfileHandler],
})
export class ProfileModule {}
