import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommonEnv, createRedis, RedisClient } from '@up/config';
import { ProfileCache } from './profile-cache';

interface Invalidation {
  member_id?: string;
  telegram_id?: number | null;
}

/**
 * Carries profile-cache invalidations to every bot replica over Redis pub/sub.
 *
 * Why pub/sub: a bus event reaches one replica of the `bot` consumer group, but every replica
 * holds its own cache. The replica that handles `member.updated` / `member.coins_changed`
 * publishes the member here and every replica (itself included) forgets them. A consumer group per
 * replica would also reach them all, but would leave a group behind for every replica that ever
 * ran (pending entries and trimming held back by the dead ones), and the bus names groups after
 * services. Pub/sub is fire-and-forget, so a replica whose subscription dropped may have missed
 * messages: it clears its whole cache when the subscription is back, and the 5-minute TTL bounds
 * anything else.
 */
@Injectable()
export class ProfileInvalidation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProfileInvalidation.name);
  private readonly channel: string;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private subscribedOnce = false;

  constructor(
    config: CommonEnv,
    private readonly cache: ProfileCache,
  ) {
    this.channel = `${config.REDIS_KEY_PREFIX}:bot:profile-invalidations`;
    const options = {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    };
    this.publisher = createRedis(config, 'bot:profiles:pub', options);
    this.subscriber = createRedis(config, 'bot:profiles:sub', options);
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) =>
        this.logger.debug(`Profile invalidation Redis: ${error.message}`),
      );
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.apply(message);
    });
    // ioredis resubscribes after a reconnection; what was published meanwhile is lost.
    this.subscriber.on('ready', () => {
      if (this.subscribedOnce) this.cache.clear();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
    this.subscribedOnce = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.publisher, this.subscriber].map((client) =>
        client.quit().catch(() => client.disconnect()),
      ),
    );
  }

  /** Forgets the member here at once, and on every other replica through the channel. */
  async publish(change: { memberId?: string; telegramId?: number | null }): Promise<void> {
    this.cache.invalidate(change);
    const message: Invalidation = {
      ...(change.memberId ? { member_id: change.memberId } : {}),
      ...(change.telegramId ? { telegram_id: change.telegramId } : {}),
    };
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  private apply(message: string): void {
    try {
      const change = JSON.parse(message) as Invalidation;
      this.cache.invalidate({
        ...(change.member_id ? { memberId: change.member_id } : {}),
        ...(change.telegram_id ? { telegramId: change.telegram_id } : {}),
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'Unreadable profile invalidation; clearing the cache');
      this.cache.clear();
    }
  }
}
