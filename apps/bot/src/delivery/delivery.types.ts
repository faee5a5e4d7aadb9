/**
 * A message the bot sends on its own (a notification, a reminder, an announcement), as handed to
 * DeliveryQueue.enqueue.
 */
export interface OutgoingMessage {
  /**
   * Idempotency key (event id + member + kind): a key already enqueued within the retention time
   * (7 days) is ignored, whatever became of it, so a consumer that handles an event twice, or two
   * replicas that both do, send the message once.
   */
  key: string;
  chatId: string;
  memberId?: string;
  /** What it is (`announcement`, `reminder`, `joined`, ...): the metric and dead-letter label. */
  kind: string;
  text: string;
  parseMode?: 'HTML';
  /** Telegram's reply_markup object (an inline keyboard), sent as it is. */
  replyMarkup?: unknown;
  /** Counts this message into a broadcast started with DeliveryQueue.startBroadcast. */
  broadcastId?: string;
  /**
   * The priority lane: claimed before every ordinary message (but still within the global and
   * per-chat limits). For messages a member is waiting for, e.g. the outcome of a button press.
   */
  priority?: boolean;
}

export interface StartBroadcastInput {
  /**
   * The broadcast's id, when the caller has a natural one (e.g. one per announced event): starting
   * a broadcast whose id exists already changes nothing and answers that id. Random otherwise.
   */
  id?: string;
  kind: string;
  eventId?: string;
  title?: string;
  /** How many messages the caller means to enqueue; the broadcast is finished once all are final. */
  total: number;
}

/** The final outcomes of a message, and the transient ones, as counted in the metric. */
export type DeliveryOutcome =
  | 'sent'
  | 'failed'
  | 'blocked'
  | 'retried'
  | 'rate_limited'
  /** Claimed by a replica that stopped before sending it; back in the queue. */
  | 'reclaimed'
  /** Its replica stopped during the send: maybe delivered, not sent again. */
  | 'uncertain';

/** The delivery queue's limits, resolved from BotConfig (tests build them directly). */
export interface DeliveryOptions {
  /** `${REDIS_KEY_PREFIX}`: every key lives under `<prefix>:{bot-delivery}:`. */
  prefix: string;
  /** Messages per second in all (TELEGRAM_SEND_RATE). */
  rate: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  sendTimeoutMs: number;
  /** This worker's name in the claims (BUS_CONSUMER_NAME). */
  workerName: string;
}
