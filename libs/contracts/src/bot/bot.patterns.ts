import { requestPattern } from '../bus/message';
import type { ListBroadcastsDto, ListBroadcastsResult } from './broadcasts.dto';

/**
 * Requests handled by the `bot` service (every bot replica reads them as one consumer group).
 *
 * WIRE NAMES: the string values travel over Redis; rename only with a migration plan.
 */
export const BOT = {
  /** Recent broadcasts with their delivery counters, newest first (`limit` 1..100, default 20). */
  LIST_BROADCASTS: requestPattern<ListBroadcastsDto, ListBroadcastsResult>('bot.list_broadcasts'),
} as const;
