import { IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PageQuery } from '../pagination/page-query';
import { MEMBER_ROLES, type MemberRole } from '../users/member-roles';
import { CreateEventBody, UpdateEventBody } from './event-body.dto';

export const EVENTS_PAGE_DEFAULT_LIMIT = 10;

/** `?limit=&offset=` of every paginated events list (default 10). */
export class EventsPageQuery extends PageQuery(EVENTS_PAGE_DEFAULT_LIMIT) {
  // Always set once validated (the defaults fill in); the events service reads them as numbers.
  declare limit: number;
  declare offset: number;
}

export class ListUpcomingEventsDto extends EventsPageQuery {}

export class AdminListEventsDto extends EventsPageQuery {}

export class ListMemberEventsDto extends EventsPageQuery {
  @IsUUID()
  member_id!: string;
}

export const PARTICIPANTS_PAGE_DEFAULT_LIMIT = 100;

/** `?limit=&offset=` of a participants list: up to 100 (the default) at a time. */
export class ParticipantsPageQuery extends PageQuery(PARTICIPANTS_PAGE_DEFAULT_LIMIT) {
  declare limit: number;
  declare offset: number;
}

export class ListEventParticipantsDto extends ParticipantsPageQuery {
  @IsUUID()
  event_id!: string;

  /** The administration's view: the waitlist too, in line order. */
  @IsOptional()
  @IsBoolean()
  with_waitlist?: boolean;
}

/** The most member ids one `events.list_audience` page holds (one notification-targets call). */
export const MAX_AUDIENCE_PAGE = 1000;

/**
 * `events.list_audience`: the members an event concerns (seated participants and the waiting
 * line), by member id, keyset-paged: pass the answer's `next` as `after` (null: done).
 */
export class ListEventAudienceDto {
  @IsUUID()
  event_id!: string;

  @IsOptional()
  @IsUUID()
  after?: string;

  @IsInt()
  @Min(1)
  @Max(MAX_AUDIENCE_PAGE)
  limit!: number;
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
