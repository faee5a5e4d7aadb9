import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { MEMBER_ROLES, type MemberRole } from '../users/member-roles';
import { CreateEventBody, UpdateEventBody } from './event-body.dto';

export const EVENTS_PAGE_DEFAULT_LIMIT = 10;
export const EVENTS_PAGE_MAX_LIMIT = 100;

/**
 * `?limit=&offset=` of every paginated events list. Query strings arrive as strings; `@Type`
 * turns them into numbers first, so `limit=abc`, `limit=0` or `offset=-1` fail validation (400).
 */
export class EventsPageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: EVENTS_PAGE_MAX_LIMIT,
    default: EVENTS_PAGE_DEFAULT_LIMIT,
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENTS_PAGE_MAX_LIMIT)
  limit: number = EVENTS_PAGE_DEFAULT_LIMIT;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0 })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

export class ListUpcomingEventsDto extends EventsPageQuery {}

export class AdminListEventsDto extends EventsPageQuery {}

export class ListMemberEventsDto extends EventsPageQuery {
  @IsUUID()
  member_id!: string;
}

export const PARTICIPANTS_PAGE_DEFAULT_LIMIT = 100;

/** `?limit=&offset=` of a participants list: up to 100 (the default) at a time. */
export class ParticipantsPageQuery extends EventsPageQuery {
  // Same rules as any events page (inherited); only the default differs.
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: EVENTS_PAGE_MAX_LIMIT,
    default: PARTICIPANTS_PAGE_DEFAULT_LIMIT,
  })
  override limit: number = PARTICIPANTS_PAGE_DEFAULT_LIMIT;
}

export class ListEventParticipantsDto extends ParticipantsPageQuery {
  @IsUUID()
  event_id!: string;

  /** The administration's view: the waitlist too, in line order. */
  @IsOptional()
  @IsBoolean()
  with_waitlist?: boolean;
}

export class GetEventDto {
  @IsUUID()
  event_id!: string;

  /** The caller, when authenticated: the answer then says whether they joined. */
  @IsOptional()
  @IsUUID()
  member_id?: string;
}

export class GetEventCalendarDto {
  @IsUUID()
  event_id!: string;
}

/** Who asks for a change: the service decides from the role and the event's creator. */
export interface EventActor {
  actor_id: string;
  actor_role: MemberRole;
}

export class CreateEventDto extends CreateEventBody implements EventActor {
  @IsUUID()
  actor_id!: string;

  @IsIn(MEMBER_ROLES)
  actor_role!: MemberRole;
}

export class UpdateEventDto extends UpdateEventBody implements EventActor {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  actor_id!: string;

  @IsIn(MEMBER_ROLES)
  actor_role!: MemberRole;
}

export class DeactivateEventDto implements EventActor {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  actor_id!: string;

  @IsIn(MEMBER_ROLES)
  actor_role!: MemberRole;
}

export class JoinEventDto {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;
}

export class LeaveEventDto {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;
}

/** `events.join_waitlist` and `events.leave_waitlist`. */
export class WaitlistDto {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;
}
