import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { createRedis, isClusterClient, RedisClient } from '@up/config';
import { BotConfig } from '../config/bot.config';

const MINUTE_MS = 60_000;

/**
 * The rate-limit storage over a connection made by createRedis (a cluster one included); it closes
 * that connection on shutdown as it would one it had made itself.
 */
function ownedThrottlerStorage(client: RedisClient): ThrottlerStorageRedisService {
  const storage = isClusterClient(client)
    ? new ThrottlerStorageRedisService(client)
    : new ThrottlerStorageRedisService(client);
  storage.disconnectRequired = true;
  return storage;
}

/**
 * How many sign-in links (`/login`, `/qr`) a Telegram user may ask for: each one issues a login
 * code and, for `/qr`, renders a PNG, so a script hammering the bot would cost the platform
 * without this. Counted per Telegram user in Redis, so every bot replica shares the count, with
 * the storage the gateway's rate limits use (@nest-lab/throttler-storage-redis: one script per
 * hit), under `<REDIS_KEY_PREFIX>:bot:ratelimit:`, each counter expiring with its window.
 */
@Injectable()
export class LoginRateLimit implements OnApplicationShutdown {
  private readonly storage: ThrottlerStorageRedisService;

  constructor(private readonly config: BotConfig) {
    this.storage = ownedThrottlerStorage(
      createRedis(config, 'bot:ratelimit', {
        keyPrefix: `${config.REDIS_KEY_PREFIX}:bot:ratelimit:`,
        // An idle bot (no token) opens nothing; a command never waits long for a Redis that is away.
        lazyConnect: true,
        maxRetriesPerRequest: 1,
      }),
    );
  }

  /** Counts one link for this Telegram user: 0 when it may have it, else the seconds to wait. */
  async take(telegramId: number): Promise<number> {
    const hit = await this.storage.increment(
      `login:${telegramId}`,
      MINUTE_MS,
      this.config.RATE_LIMIT_BOT_LOGIN_PER_MINUTE,
      MINUTE_MS,
      'login',
    );
    return hit.isBlocked ? Math.max(1, hit.timeToBlockExpire) : 0;
  }

  onApplicationShutdown(): void {
    this.storage.onModuleDestroy();
  }
}
