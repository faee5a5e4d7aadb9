import { requestPattern } from '../bus/message';
import type { ListBroadcastsDto, ListBroadcastsResult } from './broadcasts';

/**
 * Requests handled by the `bot` service (its own consumer group on the bus).
 *
 * WIRE NAMES: these strings travel over Redis; rename only with a migration plan (serve both
 * names, move every caller, then drop the old one).
 */
export const BOT = {
  /** Recent broadcasts with their progress, newest first (`limit` 1..100, default 20). */
  LIST_BROADCASTS: requestPattern<ListBroadcastsDto, ListBroadcastsResult>('bot.list_broadcasts', {
    callers: ['gateway'],
  }),
} as const;
