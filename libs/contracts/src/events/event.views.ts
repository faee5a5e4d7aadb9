import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageWindow } from '../pagination/page-window';
import type { PublicProfile } from '../users/profiles';
import type { MemberRole } from '../users/member-roles';

/** A member's place in an event, as `GET /api/users/me/events` shows it. */
export const PARTICIPATION_STATUSES = ['joined', 'cancelled', 'waitlisted'] as const;
export type ParticipationStatus = (typeof PARTICIPATION_STATUSES)[number];

/**
 * An event as clients see it: docs/api.md's event body plus `timezone`, `participants_count`,
 * `spots_left` and, for an authenticated caller, `joined`. Dates are ISO 8601 UTC strings.
 */
export class EventView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ format: 'date-time' })
  start_date!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  end_date!: string | null;

  @ApiProperty({ type: String, nullable: true })
  location!: string | null;

  @ApiProperty({ type: 'integer', description: 'In UP coins.' })
  price!: number;

  @ApiProperty({ type: String, nullable: true })
  image_url!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'null: unlimited.' })
  capacity!: number | null;

  @ApiProperty()
  is_active!: boolean;

  @ApiProperty({ format: 'uuid' })
  creator_id!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ example: 'Europe/Moscow', description: 'IANA time zone of the event.' })
  timezone!: string;

  @ApiProperty({ type: 'integer', description: 'Seats taken.' })
  participants_count!: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'null when unlimited.' })
  spots_left!: number | null;

  @ApiPropertyOptional({ description: 'Present when the caller is authenticated.' })
  joined?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Members waiting for a seat (event details only).',
  })
  waitlist_count?: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description:
      'The authenticated caller’s place in the waitlist (1 = next); null when not waiting (event details only).',
  })
  waitlist_position?: number | null;

  @ApiPropertyOptional({
    enum: PARTICIPATION_STATUSES,
    description: 'The caller’s participation (`GET /api/users/me/events` only).',
  })
  status?: ParticipationStatus;
}

export class EventPage extends PageWindow {
  @ApiProperty({ type: [EventView] })
  events!: EventView[];
}

/** `POST /api/v1/events/{id}/join` answers exactly this. */
export class JoinEventResult {
  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ format: 'date-time' })
  joined_at!: string;

  @ApiProperty({ type: 'integer', description: 'UP coins after the debit.' })
  balance!: number;
}

export class LeaveEventResult {
  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ format: 'date-time' })
  left_at!: string;

  @ApiProperty({ type: 'integer', description: 'UP coins given back (the price paid).' })
  refunded!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'UP coins after the refund; null when the refund is still being retried.',
  })
  balance!: number | null;
}

/** `POST /api/v1/events/{id}/waitlist` answers exactly this. */
export class WaitlistEntryView {
  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ type: 'integer', description: 'Place in the line; 1 is next.' })
  position!: number;

  @ApiProperty({ format: 'date-time' })
  joined_waitlist_at!: string;
}

/** A waiting member, for the administration's participants route. */
export class WaitlistedMember {
  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty({ format: 'date-time' })
  joined_waitlist_at!: string;
}

/** A participant: the public profile (allow-listed by the users service) and when they joined. */
export class EventParticipant implements PublicProfile {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  full_name!: string;

  @ApiProperty({ enum: ['member', 'organizer', 'admin'] })
  role!: MemberRole;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: 'integer' })
  achievements_count!: number;

  @ApiProperty({ example: 'UP-7K2Q9X' })
  referral_code!: string;

  @ApiProperty({ type: String, nullable: true })
  photo_url!: string | null;

  @ApiProperty({ format: 'date-time' })
  joined_at!: string;
}

export class EventParticipantsPage extends PageWindow {
  @ApiProperty({ type: [EventParticipant] })
  participants!: EventParticipant[];

  @ApiPropertyOptional({
    type: [WaitlistedMember],
    description: 'The waitlist in line order (administration route only).',
  })
  waitlist?: WaitlistedMember[];
}

/** An RFC 5545 document (`text/calendar`) and a file name for Content-Disposition. */
export interface EventCalendar {
  filename: string;
  content: string;
}

/** A page of `events.list_audience`: member ids in id order. */
export class EventAudiencePage {
  member_ids!: string[];
  next!: string | null;
}
