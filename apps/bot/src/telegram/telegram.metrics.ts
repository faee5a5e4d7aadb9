import { TelegramError } from 'telegraf';
import { counterOnce, gaugeOnce } from '@up/health';

export const TELEGRAM_RATE_LIMITED_METRIC = 'telegram_rate_limited_total';
export const UPDATE_RECEIVER_METRIC = 'bot_update_receiver_active';

/** Where a Telegram call was made from (a bounded set). */
export type TelegramCaller = 'delivery' | 'polling' | 'decorations';

const rateLimited = counterOnce({
  name: TELEGRAM_RATE_LIMITED_METRIC,
  help: "Telegram's flood control answers (429) by caller: delivery, polling, decorations",
  labelNames: ['caller'],
});

const receiver = gaugeOnce({
  name: UPDATE_RECEIVER_METRIC,
  help: 'Whether this replica receives Telegram updates: 1 while it holds the polling lease and polls, or serves the webhook',
  labelNames: ['mode'],
});

/** Counts the failure when it is Telegram's 429. */
export function countTelegramFailure(caller: TelegramCaller, error: unknown): void {
  if (error instanceof TelegramError && error.code === 429) rateLimited.inc({ caller });
}

/** Marks this replica as receiving updates in `mode` until the returned function is called. */
export function receivingUpdates(mode: 'polling' | 'webhook'): () => void {
  receiver.inc({ mode });
  return () => receiver.dec({ mode });
}
