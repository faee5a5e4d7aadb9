import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const BROADCASTS_DEFAULT_LIMIT = 20;
export const BROADCASTS_MAX_LIMIT = 100;

/** `bot.list_broadcasts`: the most recent broadcasts, newest first. */
export class ListBroadcastsDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(BROADCASTS_MAX_LIMIT)
  limit?: number;
}

/**
 * One broadcast (an announcement to many members) as the delivery queue counts it: `queued` are
 * still waiting or being retried; `sent`, `failed` (dead-lettered) and `blocked` (Telegram
 * answered 403) are final. `finished_at` is set once nothing is left queued.
 */
export interface BroadcastView {
  id: string;
  kind: string;
  event_id: string | null;
  title: string | null;
  created_at: string;
  total: number;
  queued: number;
  sent: number;
  failed: number;
  blocked: number;
  finished_at: string | null;
}

export interface ListBroadcastsResult {
  broadcasts: BroadcastView[];
}
