import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CommonEnv, createRedis, RedisClient } from '@up/config';

/**
 * The users service's one Redis connection for its own keys (profile versions). Commands fail at
 * once while Redis is away (no offline queue) so that a request never waits on Redis: the
 * profile-version publisher keeps what it could not write and writes it on reconnection.
 */
@Injectable()
export class UsersRedis implements OnApplicationShutdown {
  private readonly logger = new Logger(UsersRedis.name);
  readonly client: RedisClient;
  readonly prefix: string;
  private reportedDown = false;

  constructor(config: CommonEnv) {
    this.prefix = config.REDIS_KEY_PREFIX;
    this.client = createRedis(config, 'users', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    });
    this.client.on('error', (error: Error) => {
      // One line per outage, not one per reconnection attempt.
      if (!this.reportedDown) this.logger.warn({ err: error }, 'users service lost Redis');
      this.reportedDown = true;
    });
    this.client.on('ready', () => {
      this.reportedDown = false;
    });
  }

  /** Resolves once the connection is ready (startup and tests); rejects when it ends. */
  async ready(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      this.client.once('ready', () => resolve());
      this.client.once('end', () => reject(new Error('Redis connection ended')));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
