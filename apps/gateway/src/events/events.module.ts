import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { MemberEventsController } from './member-events.controller';

/** docs/api.md "Events" and `GET /api/users/me/events`; BusClient and the auth guard are global. */
@Module({
  controllers: [EventsController, MemberEventsController],
})
export class EventsModule {}
