import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BusClient } from '@up/bus';
import { EventPage, EVENTS, EventsPageQuery } from '@up/contracts';
import { Authenticated, AuthenticatedMember, CurrentMember } from '../auth';

/** `GET /api/users/me/events` (docs/api.md "Members"), served from the events service. */
@ApiTags('Members')
@Controller('api/users/me')
export class MemberEventsController {
  constructor(private readonly bus: BusClient) {}

  @Get('events')
  @Authenticated()
  @ApiOperation({
    summary:
      'Events the caller joined, waits for or had cancelled, each with `status`: upcoming soonest first, then past ones',
  })
  @ApiOkResponse({ type: EventPage })
  myEvents(
    @Query() query: EventsPageQuery,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<EventPage> {
    return this.bus.send(EVENTS.LIST_MEMBER_EVENTS, {
      member_id: member.id,
      limit: query.limit,
      offset: query.offset,
    });
  }
}
