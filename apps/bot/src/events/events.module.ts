import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { EventsHandler } from './events.handler';
import { EventsService } from './events.service';

@Module({
  imports: [MembersModule],
  providers: [EventsService, EventsHandler],
})
export class EventsModule {}
