import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { StartHandler } from './start.handler';

@Module({
  imports: [MembersModule],
  providers: [StartHandler],
})
export class StartModule {}
