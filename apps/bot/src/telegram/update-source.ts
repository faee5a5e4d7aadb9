import type { Update } from 'telegraf/types';

/**
 * The update types the bot asks Telegram for (getUpdates and setWebhook alike). A feature that
 * handles another type adds it here; Telegram sends nothing else.
 */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** Where updates go once received: deduplicated across replicas, then handled. */
export type UpdateSink = (updates: Update[]) => Promise<void>;

/** How the bot receives updates: a webhook on every replica, or one leased poller. */
export interface UpdateSource {
  /** Runs until stopped; rejects with TokenRefusedError when Telegram refuses the token. */
  run(): Promise<void>;
  /**
   * Stops receiving. `releaseLease: false` leaves a polling lease to expire, as a killed process
   * would (tests of the takeover).
   */
  stop(options?: { releaseLease?: boolean }): Promise<void>;
  /** What the startup log line says about this mode. */
  readonly description: string;
}
