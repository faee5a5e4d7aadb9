import {
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { BotConfig } from '../config/bot.config';
import { BroadcastsController } from './broadcasts.controller';
import { BusReachability } from './bus-reachability';
import { DeliveryQueue } from './delivery-queue';

export function deliveryQueueOf(config: BotConfig, reachability: BusReachability): DeliveryQueue {
  return new DeliveryQueue({
    options: {
      prefix: config.REDIS_KEY_PREFIX,
      rate: config.TELEGRAM_SEND_RATE,
      maxAttempts: config.TELEGRAM_SEND_MAX_ATTEMPTS,
      retryBaseMs: config.TELEGRAM_RETRY_BASE_MS,
      retryMaxMs: config.TELEGRAM_RETRY_MAX_MS,
      sendTimeoutMs: config.TELEGRAM_SEND_TIMEOUT_MS,
      workerName: config.BUS_CONSUMER_NAME,
    },
    redisUrl: config.REDIS_URL,
    redisClusterNodes: config.REDIS_CLUSTER_NODES,
    ...(config.TELEGRAM_BOT_TOKEN
      ? { telegram: { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT } }
      : {}),
    reachability,
  });
}

/** Starts the queue's worker with the app and stops it (draining claimed sends) with it. */
@Injectable()
class DeliveryLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(DeliveryQueue) private readonly queue: DeliveryQueue,
    private readonly config: BotConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.queue.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.queue.stop(this.config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
  }
}

/** The delivery queue (every feature that notifies members injects DeliveryQueue) and `bot.list_broadcasts`. */
@Global()
@Module({
  controllers: [BroadcastsController],
  providers: [
    BusReachability,
    {
      provide: DeliveryQueue,
      inject: [BotConfig, BusReachability],
      useFactory: deliveryQueueOf,
    },
    DeliveryLifecycle,
  ],
  exports: [DeliveryQueue],
})
export class DeliveryModule {}
