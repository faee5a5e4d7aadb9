import { Logger, LoggerService } from '@nestjs/common';
import { createRedis, RedisClient } from '@up/config';
import type { BroadcastView } from '@up/contracts';
import { DeadLetter, DeliveryStore } from './delivery-store';
import { DeliveryMetrics } from './delivery.metrics';
import type { DeliveryOptions, OutgoingMessage, StartBroadcastInput } from './delivery.types';
import { DeliveryWorker, Reachability } from './delivery-worker';
import { TelegramSender } from './telegram-sender';

export interface DeliveryQueueParams {
  options: DeliveryOptions;
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: set, the queue lives on that Redis Cluster. */
  redisClusterNodes?: string;
  /** Without a token this replica only enqueues; the replicas that have one send. */
  telegram?: { token: string; apiRoot: string };
  reachability: Reachability;
  logger?: LoggerService;
}

/**
 * The one queue, in Redis and shared by every bot replica, through which the bot sends every
 * message it sends on its own: within TELEGRAM_SEND_RATE in all and one message per second per
 * chat, honouring 429s, retrying 5xx and network errors with backoff, dead-lettering what keeps
 * failing, reporting 403s, and sending each idempotency key at most once. Answers to a member's
 * own commands do not go through it (they are sent directly, and the rate's default leaves room
 * for them under Telegram's limit).
 *
 * Each replica with a token runs a worker (start/stop); any replica may enqueue.
 */
export class DeliveryQueue {
  readonly store: DeliveryStore;
  readonly metrics = new DeliveryMetrics();
  private readonly redis: RedisClient;
  private readonly worker?: DeliveryWorker;
  private readonly logger: LoggerService;

  constructor(params: DeliveryQueueParams) {
    this.logger = params.logger ?? new Logger(DeliveryQueue.name);
    const target = { REDIS_URL: params.redisUrl, REDIS_CLUSTER_NODES: params.redisClusterNodes };
    this.redis = createRedis(target, `bot:delivery:${params.options.workerName}`, {
      lazyConnect: true,
      // One tick's claims, begins and finishes leave in one write.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 3,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    });
    this.redis.on('error', (error: Error) =>
      this.logger.debug?.(`Delivery Redis: ${error.message}`),
    );
    this.store = new DeliveryStore(this.redis, params.options);
    if (params.telegram) {
      this.worker = new DeliveryWorker({
        store: this.store,
        sender: new TelegramSender({
          ...params.telegram,
          timeoutMs: params.options.sendTimeoutMs,
        }),
        reachability: params.reachability,
        options: params.options,
        metrics: this.metrics,
        logger: this.logger,
      });
    }
  }

  /** Adds messages; a key already known (within 7 days) is skipped. Resolves with how many were new. */
  async enqueue(messages: OutgoingMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const added = await this.store.enqueue(messages);
    this.worker?.wake();
    return added;
  }

  /**
   * Keys whose message the member already got another way (the answer to their own button press):
   * enqueueing them later is a no-op. A key already queued is left alone.
   */
  markAnswered(keys: string[]): Promise<number> {
    return this.store.markAnswered(keys);
  }

  /** Starts counting a broadcast: pass the id as `broadcastId` of its messages. */
  startBroadcast(input: StartBroadcastInput): Promise<string> {
    return this.store.startBroadcast(input);
  }

  listBroadcasts(limit: number): Promise<BroadcastView[]> {
    return this.store.listBroadcasts(limit);
  }

  deadLetters(count = 100): Promise<DeadLetter[]> {
    return this.store.deadLetters(count);
  }

  async start(): Promise<void> {
    await this.redis.connect();
    this.worker?.start();
  }

  /** Stops claiming, lets claimed messages go out (within `timeoutMs`), then disconnects. */
  async stop(timeoutMs: number): Promise<void> {
    const drained = (await this.worker?.stop(timeoutMs)) ?? true;
    if (!drained)
      this.logger.warn?.('Delivery: stopped with sends in progress; their leases will tell');
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** As a crash (tests): the worker stops dead and the connection drops. */
  kill(): void {
    this.worker?.kill();
    this.redis.disconnect();
  }
}
