import { Module } from '@nestjs/common';
import { MembersClient } from './members.client';

/** The users service as the events service sees it (over the bus; BusModule is global). */
@Module({
  providers: [MembersClient],
  exports: [MembersClient],
})
export class MembersModule {}
