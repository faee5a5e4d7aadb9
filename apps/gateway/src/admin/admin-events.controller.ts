import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { BusClient } from '@up/bus';
import {
  EventPage,
  EventParticipantsPage,
  EVENTS,
  EventsPageQuery,
  MemberRole,
  ParticipantsPageQuery,
} from '@up/contracts';
import { Roles } from '../auth';
import { EventIdPipe } from '../events/uuid-param.pipe';

/** docs/api.md "Administration": events, inactive and past ones included. */
@ApiTags('Administration')
@Controller('api/admin/events')
@Roles(MemberRole.ADMIN)
export class AdminEventsController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'Every event, inactive and past ones too, latest start first' })
  @ApiOkResponse({ type: EventPage })
  @ApiBadRequestResponse({ description: 'limit outside 1..100 or a negative offset' })
  list(@Query() query: EventsPageQuery): Promise<EventPage> {
    return this.bus.send(EVENTS.ADMIN_LIST, { limit: query.limit, offset: query.offset });
  }

  @Get(':event_id/participants')
  @ApiOperation({
    summary: 'Participants of any event, in joining order, and its waitlist in line order',
  })
  @ApiParam({ name: 'event_id', format: 'uuid' })
  @ApiOkResponse({ type: EventParticipantsPage })
  @ApiNotFoundResponse({ description: 'Unknown event, or an id that is not a UUID' })
  participants(
    @Param('event_id', EventIdPipe) eventId: string,
    @Query() query: ParticipantsPageQuery,
  ): Promise<EventParticipantsPage> {
    return this.bus.send(EVENTS.LIST_PARTICIPANTS, {
      event_id: eventId,
      limit: query.limit,
      offset: query.offset,
      with_waitlist: true,
    });
  }
}
