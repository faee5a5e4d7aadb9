import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
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
