import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createRedis, RedisClient } from '@up/config';
import { profileVersionKey } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';

/**
 * Reads the members' current profile versions that the users service writes to Redis after each
 * commit (`${REDIS_KEY_PREFIX}:users:profile-version:<id>`). This is what lets `/api/users/me`
 * answer a matching `If-None-Match` with one Redis GET: no bus call, no PostgreSQL query.
 * When the key is missing or Redis fails, the answer is "unknown" and the route asks the users
 * service instead (slower, never wrong).
 */
@Injectable()
export class ProfileVersions implements OnApplicationShutdown {
  private readonly logger = new Logger(ProfileVersions.name);
  private readonly redis: RedisClient;

  constructor(private readonly config: GatewayConfig) {
    this.redis = createRedis(config, 'gateway:profile-versions', {
      // Concurrent requests share round trips; a GET never waits long for a Redis that is away.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
    });
    // One line per outage, not one per reconnection attempt.
    let down = false;
    this.redis.on('error', (error: Error) => {
      if (!down) this.logger.warn({ err: error }, 'profile-version connection lost');
      down = true;
    });
    this.redis.on('ready', () => {
      down = false;
    });
  }

  async current(memberId: string): Promise<number | undefined> {
    let raw: string | null;
    try {
      raw = await this.redis.get(profileVersionKey(this.config.REDIS_KEY_PREFIX, memberId));
    } catch (error) {
      this.logger.warn(
        { err: error, memberId },
        'profile version unreadable, asking the users service',
      );
      return undefined;
    }
    if (raw === null) return undefined;
    const version = Number(raw);
    return Number.isSafeInteger(version) ? version : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
