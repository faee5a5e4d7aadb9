import { Module } from '@nestjs/common';
import { RateLimitModule } from '../auth/rate-limit';
import { EventsController } from './events.controller';
import { MemberEventsController } from './member-events.controller';

/** docs/api.md "Events" and `GET /api/users/me/events`; BusClient and the auth guard are global. */
@Module({
  imports: [RateLimitModule],
  controllers: [EventsController, MemberEventsController],
})
export class EventsModule {}
