import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CommonEnv, createRedis, RedisClient } from '@up/config';

/**
 * The Redis connection behind receiving updates: the polling lease and the handled update ids,
 * both shared by every bot replica. Commands fail fast while Redis is away (no offline queue, a
 * short command timeout): a poller that cannot renew its lease must learn it at once and stop.
 * Connects on first use, so an idle bot (no token) opens nothing.
 */
@Injectable()
export class TelegramRedis implements OnApplicationShutdown {
  private readonly logger = new Logger(TelegramRedis.name);
  readonly client: RedisClient;
  private readonly prefix: string;
  private reportedDown = false;

  constructor(config: CommonEnv) {
    this.prefix = config.REDIS_KEY_PREFIX;
    this.client = createRedis(config, 'bot:updates', {
      lazyConnect: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    });
    this.client.on('error', (error: Error) => {
      // One line per outage, not one per reconnection attempt.
      if (!this.reportedDown) this.logger.warn({ err: error }, 'bot lost Redis (updates)');
      this.reportedDown = true;
    });
    this.client.on('ready', () => {
      this.reportedDown = false;
    });
  }

  /** `<prefix>:bot:<name>`: every key of this deployment starts with REDIS_KEY_PREFIX. */
  key(name: string): string {
    return `${this.prefix}:bot:${name}`;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    if (this.client.status === 'end' || this.client.status === 'wait') {
      this.client.disconnect();
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
