import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BusClient } from '@up/bus';
import {
  CreateEventBody,
  EventPage,
  EventParticipantsPage,
  EVENTS,
  EventsPageQuery,
  EventView,
  JoinEventResult,
  MemberRole,
  ParticipantsPageQuery,
  UpdateEventBody,
  WaitlistEntryView,
} from '@up/contracts';
import {
  Authenticated,
  AuthenticatedMember,
  CurrentMember,
  CurrentStanding,
  OptionalAuthentication,
  RateLimit,
  Roles,
} from '../auth';
import { EventIdPipe } from './uuid-param.pipe';

const EVENT_ID = { name: 'event_id', format: 'uuid', description: 'Event id' } as const;

/**
 * Joining and leaving move coins through a second service, and a rush on one popular event queues
 * its joins behind each other; they get longer than the default bus timeout, because a 503 for a
 * join that then completes anyway is worse than a late answer.
 */
const SEAT_CHANGE_TIMEOUT_MS = 15_000;
const NOT_FOUND = 'Unknown event, or an id that is not a UUID';

/**
 * docs/api.md "Events": thin routes over the events service's bus patterns. The writes that a
 * role empowers pass the caller's current role (`@Roles`, `@CurrentStanding`), never the token's.
 */
@ApiTags('Events')
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly bus: BusClient) {}

  @Get('upcoming')
  @ApiOperation({ summary: 'Active events that have not started, soonest first' })
  @ApiOkResponse({ type: EventPage })
  @ApiBadRequestResponse({ description: 'limit outside 1..100 or a negative offset' })
  listUpcoming(@Query() query: EventsPageQuery): Promise<EventPage> {
    return this.bus.send(EVENTS.LIST_UPCOMING, { limit: query.limit, offset: query.offset });
  }

  @Get(':event_id.ics')
  @ApiOperation({ summary: 'The event as an iCalendar file (RFC 5545), in its own time zone' })
  @ApiParam(EVENT_ID)
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'text/calendar', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async calendar(
    @Param('event_id', EventIdPipe) eventId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { filename, content } = await this.bus.send(EVENTS.GET_ICS, { event_id: eventId });
    void reply
      .header('Content-Type', 'text/calendar; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${filename}"`);
    return content;
  }

  @Get(':event_id')
  @OptionalAuthentication()
  @ApiOperation({
    summary:
      'One event with its seats and `waitlist_count`; `joined` and `waitlist_position` for an authenticated caller',
  })
  @ApiParam(EVENT_ID)
  @ApiOkResponse({ type: EventView })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @Param('event_id', EventIdPipe) eventId: string,
    @CurrentMember() member: AuthenticatedMember | undefined,
  ): Promise<EventView> {
    return this.bus.send(EVENTS.GET, {
      event_id: eventId,
      ...(member ? { member_id: member.id } : {}),
    });
  }

  @Post()
  @RateLimit('writes')
  @Roles(MemberRole.ORGANIZER, MemberRole.ADMIN)
  @ApiOperation({ summary: 'Create an event (organizers and admins)' })
  @ApiCreatedResponse({ type: EventView })
  @ApiBadRequestResponse({
    description:
      'Invalid fields: end_date before start_date, negative price, capacity below 1, ...',
  })
  create(
    @Body() body: CreateEventBody,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<EventView> {
    return this.bus.send(EVENTS.CREATE, { ...body, actor_id: member.id, actor_role: member.role });
  }

  @Patch(':event_id')
  @RateLimit('writes')
  @Authenticated()
  @CurrentStanding()
  @ApiOperation({ summary: 'Change an event (its creator or an admin)' })
  @ApiParam(EVENT_ID)
  @ApiOkResponse({ type: EventView })
  @ApiBadRequestResponse({ description: 'Invalid fields, or a capacity below the seats taken' })
  @ApiForbiddenResponse({
    description: 'Neither the creator of the event nor (now) an admin, or a deactivated member',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(
    @Param('event_id', EventIdPipe) eventId: string,
    @Body() body: UpdateEventBody,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<EventView> {
    return this.bus.send(EVENTS.UPDATE, {
      ...body,
      event_id: eventId,
      actor_id: member.id,
      actor_role: member.role,
    });
  }

  @Delete(':event_id')
  @RateLimit('writes')
  @Authenticated()
  @CurrentStanding()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Cancel (deactivate) an event (its creator or an admin): before its start every participant is refunded once and the waitlist released',
  })
  @ApiParam(EVENT_ID)
  @ApiNoContentResponse({ description: 'Deactivated (also when it already was)' })
  @ApiForbiddenResponse({
    description: 'Neither the creator of the event nor (now) an admin, or a deactivated member',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async deactivate(
    @Param('event_id', EventIdPipe) eventId: string,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<void> {
    await this.bus.send(
      EVENTS.DEACTIVATE,
      { event_id: eventId, actor_id: member.id, actor_role: member.role },
      // Refunds every participant through the users service before answering.
      { timeoutMs: SEAT_CHANGE_TIMEOUT_MS },
    );
  }

  @Post(':event_id/join')
  @RateLimit('writes')
  @Authenticated()
  @ApiOperation({ summary: 'Join the event, paying its price in UP coins' })
  @ApiParam(EVENT_ID)
  @ApiCreatedResponse({ type: JoinEventResult })
  @ApiResponse({ status: 402, description: 'Not enough UP coins' })
  @ApiConflictResponse({
    description:
      'Already joined, full (EVENT_FULL with `details.waitlist_available: true`), inactive or already started (see `code`)',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  join(
    @Param('event_id', EventIdPipe) eventId: string,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<JoinEventResult> {
    return this.bus.send(
      EVENTS.JOIN,
      { event_id: eventId, member_id: member.id },
      { timeoutMs: SEAT_CHANGE_TIMEOUT_MS },
    );
  }

  @Delete(':event_id/join')
  @RateLimit('writes')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Leave the event before it starts; the price is refunded' })
  @ApiParam(EVENT_ID)
  @ApiNoContentResponse({ description: 'Left; the price is refunded' })
  @ApiConflictResponse({ description: 'Not joined, or the event has started (see `code`)' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async leave(
    @Param('event_id', EventIdPipe) eventId: string,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<void> {
    await this.bus.send(
      EVENTS.LEAVE,
      { event_id: eventId, member_id: member.id },
      { timeoutMs: SEAT_CHANGE_TIMEOUT_MS },
    );
  }

  @Post(':event_id/waitlist')
  @RateLimit('writes')
  @Authenticated()
  @ApiOperation({
    summary: 'Join the waitlist of a full event; the first in line gets the next freed seat',
  })
  @ApiParam(EVENT_ID)
  @ApiCreatedResponse({ type: WaitlistEntryView })
  @ApiConflictResponse({
    description:
      'EVENT_NOT_FULL (join instead), ALREADY_JOINED, ALREADY_WAITLISTED, or EVENT_NOT_JOINABLE (inactive or started)',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  joinWaitlist(
    @Param('event_id', EventIdPipe) eventId: string,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<WaitlistEntryView> {
    return this.bus.send(EVENTS.JOIN_WAITLIST, { event_id: eventId, member_id: member.id });
  }

  @Delete(':event_id/waitlist')
  @RateLimit('writes')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Leave the waitlist' })
  @ApiParam(EVENT_ID)
  @ApiNoContentResponse({ description: 'Out of the line' })
  @ApiConflictResponse({ description: 'NOT_WAITLISTED' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async leaveWaitlist(
    @Param('event_id', EventIdPipe) eventId: string,
    @CurrentMember() member: AuthenticatedMember,
  ): Promise<void> {
    await this.bus.send(EVENTS.LEAVE_WAITLIST, { event_id: eventId, member_id: member.id });
  }

  @Get(':event_id/participants')
  @ApiOperation({ summary: 'Public profiles of the participants, in joining order' })
  @ApiParam(EVENT_ID)
  @ApiOkResponse({ type: EventParticipantsPage })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  participants(
    @Param('event_id', EventIdPipe) eventId: string,
    @Query() query: ParticipantsPageQuery,
  ): Promise<EventParticipantsPage> {
    return this.bus.send(EVENTS.LIST_PARTICIPANTS, {
      event_id: eventId,
      limit: query.limit,
      offset: query.offset,
    });
  }
}
