import { IsArray, IsBoolean, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { IsInstant } from './event-validators';

/** `event.created`: a new event exists (active or not). */
export class EventCreatedPayload {
  @IsUUID()
  event_id!: string;

  @IsString()
  title!: string;

  @IsInstant()
  start_date!: string;

  @IsOptional()
  @IsInstant()
  end_date!: string | null;

  @IsString()
  timezone!: string;

  @IsOptional()
  @IsString()
  location!: string | null;

  @IsInt()
  @Min(0)
  price!: number;

  @IsOptional()
  @IsInt()
  capacity!: number | null;

  @IsBoolean()
  is_active!: boolean;

  @IsUUID()
  creator_id!: string;

  @IsInstant()
  created_at!: string;
}

/** `event.participant_joined`: a seat was taken and paid for. */
export class ParticipantJoinedPayload {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;

  @IsInstant()
  joined_at!: string;

  /** UP coins debited. */
  @IsInt()
  @Min(0)
  price!: number;

  @IsInt()
  participants_count!: number;

  @IsOptional()
  @IsInt()
  spots_left!: number | null;

  /**
   * True when the seat came from the waitlist (`event.waitlist_promoted` follows, in the same
   * batch); absent from events published before it existed.
   */
  @IsOptional()
  @IsBoolean()
  from_waitlist?: boolean;
}

/** `event.participant_left`: a seat was freed before the start and its price refunded. */
export class ParticipantLeftPayload {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;

  @IsInstant()
  left_at!: string;

  /** UP coins given back. */
  @IsInt()
  @Min(0)
  refunded!: number;

  @IsInt()
  participants_count!: number;

  @IsOptional()
  @IsInt()
  spots_left!: number | null;
}

/**
 * `event.cancelled`: the event was cancelled (deactivated before its start); its participants were
 * refunded (`refunded_member_ids`, the members seated at that moment) and its waitlist released.
 */
export class EventCancelledPayload {
  @IsUUID()
  event_id!: string;

  @IsString()
  title!: string;

  @IsInstant()
  start_date!: string;

  @IsArray()
  @IsUUID('all', { each: true })
  refunded_member_ids!: string[];

  @IsArray()
  @IsUUID('all', { each: true })
  released_waitlist_member_ids!: string[];
}

/** `event.rescheduled`: the start or the place of an event changed. */
export class EventRescheduledPayload {
  @IsUUID()
  event_id!: string;

  @IsString()
  title!: string;

  @IsInstant()
  old_start_date!: string;

  @IsInstant()
  new_start_date!: string;

  @IsOptional()
  @IsString()
  old_location!: string | null;

  @IsOptional()
  @IsString()
  new_location!: string | null;

  @IsString()
  timezone!: string;
}

/** `event.waitlist_promoted`: a waiting member got a freed seat and paid for it. */
export class WaitlistPromotedPayload {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;

  @IsInstant()
  joined_at!: string;

  /** UP coins debited. */
  @IsInt()
  @Min(0)
  price!: number;
}

/** `event.waitlist_skipped`: a waiting member was offered a seat but could not pay; out of the line. */
export class WaitlistSkippedPayload {
  @IsUUID()
  event_id!: string;

  @IsUUID()
  member_id!: string;

  /** The users service's refusal, e.g. INSUFFICIENT_COINS. */
  @IsString()
  reason_code!: string;
}

/**
 * `event.reminder_due`: one per (event, reminder offset), emitted once by the reminder sweep when
 * `start_date - offset` has come. `member_ids`: the participants `joined` at that moment who had
 * joined by the reminder's due time (a member who joins later does not get it late).
 */
export class ReminderDuePayload {
  @IsUUID()
  event_id!: string;

  @IsString()
  title!: string;

  @IsInstant()
  start_date!: string;

  @IsString()
  timezone!: string;

  @IsOptional()
  @IsString()
  location!: string | null;

  /** As configured in EVENT_REMINDER_OFFSETS, e.g. `24h`. */
  @IsString()
  offset!: string;

  @IsInt()
  @Min(1)
  offset_ms!: number;

  @IsArray()
  @IsUUID('all', { each: true })
  member_ids!: string[];
}
