import { Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { Backoff, pause } from './backoff';
import {
  callTelegram,
  describeFailure,
  isConflict,
  isUnauthorized,
  retryAfterMs,
  TokenRefusedError,
} from './telegram-api-errors';
import { ALLOWED_UPDATES, UpdateSink } from './update-source';
import { countTelegramFailure } from './telegram.metrics';

/** Seconds Telegram holds a getUpdates open when there is nothing to hand over (Telegraf's 50). */
const LONG_POLL_SECONDS = 50;

/**
 * The getUpdates loop, run while this replica holds the polling lease. Written here rather than
 * Telegraf's `launch()`, whose loop retries every failure after a fixed 5 s and ends on a 409:
 * - a failure waits with exponential backoff and jitter (1 s..60 s, or Telegram's retry_after if
 *   longer), reset by the next success;
 * - a 401 ends the loop with TokenRefusedError (the caller logs it once and stops the bot);
 * - a 409 is logged and retried: the lease keeps the platform's own replicas apart, so a conflict
 *   comes from outside it (a webhook set by hand, the token used by another program), and polling
 *   resumes once that is gone;
 * - aborting `signal` cancels the request in flight at once (the lease is lost or the bot stops).
 * The offset survives a lost lease; an update another poller got meanwhile is dropped by the sink.
 */
export class LongPoller {
  private readonly logger = new Logger(LongPoller.name);
  private readonly backoff: Backoff;
  private offset = 0;

  constructor(
    private readonly telegram: Telegram,
    private readonly sink: UpdateSink,
    backoff: Backoff = new Backoff(),
  ) {
    this.backoff = backoff;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await callTelegram(
          this.telegram,
          'getUpdates',
          {
            offset: this.offset,
            timeout: LONG_POLL_SECONDS,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          signal,
        );
      } catch (error) {
        if (signal.aborted) return;
        if (isUnauthorized(error)) throw new TokenRefusedError('getUpdates');
        countTelegramFailure('polling', error);
        const delay = Math.max(this.backoff.next(), retryAfterMs(error));
        const context = { attempt: this.backoff.attempts, retryInMs: delay };
        if (isConflict(error)) {
          this.logger.warn(
            { ...context, reason: describeFailure(error) },
            'getUpdates: 409 Conflict from outside the platform (a webhook is set, or another program polls with this token); retrying',
          );
        } else {
          this.logger.warn(
            { ...context, reason: describeFailure(error) },
            'getUpdates failed; retrying',
          );
        }
        await pause(delay, signal);
        continue;
      }
      this.backoff.reset();
      const last = updates[updates.length - 1];
      if (last === undefined) continue;
      this.offset = last.update_id + 1;
      await this.sink(updates);
    }
  }
}
