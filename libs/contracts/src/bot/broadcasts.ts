import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToInt } from '../validation/dto-transforms';

export const MAX_BROADCASTS_LIMIT = 100;
export const DEFAULT_BROADCASTS_LIMIT = 20;

/** `bot.list_broadcasts` and the `GET /api/admin/broadcasts?limit=` query. */
export class ListBroadcastsDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_BROADCASTS_LIMIT,
    default: DEFAULT_BROADCASTS_LIMIT,
  })
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_BROADCASTS_LIMIT)
  limit?: number;
}

/** One broadcast of the bot (an announcement, the reminders of one event, ...) and its progress. */
@ApiSchema({ name: 'BroadcastView' })
export class BroadcastView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ description: 'What was broadcast, e.g. announcement or reminder' })
  kind!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  event_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  title!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ description: 'Messages in the broadcast' })
  total!: number;

  @ApiProperty({ description: 'Waiting to be sent' })
  queued!: number;

  @ApiProperty()
  sent!: number;

  @ApiProperty({ description: 'Dead-lettered after retries' })
  failed!: number;

  @ApiProperty({ description: 'Refused by Telegram with 403 (bot blocked, account deactivated)' })
  blocked!: number;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  finished_at!: string | null;
}

/** Newest first. */
@ApiSchema({ name: 'BroadcastsResponse' })
export class ListBroadcastsResult {
  @ApiProperty({ type: [BroadcastView] })
  broadcasts!: BroadcastView[];
}
