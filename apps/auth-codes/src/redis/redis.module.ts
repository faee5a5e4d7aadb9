import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CommonEnv, createRedis, RedisClient } from '@up/config';

/** Injection token of the service's own Redis connection (login codes). */
export const AUTH_CODES_REDIS = Symbol('AUTH_CODES_REDIS');

@Injectable()
class RedisConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(AUTH_CODES_REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One ioredis connection for the login codes; commands fail after a few retries while Redis is away. */
@Module({
  providers: [
    {
      provide: AUTH_CODES_REDIS,
      inject: [CommonEnv],
      useFactory: (config: CommonEnv) =>
        createRedis(config, 'auth-codes', { maxRetriesPerRequest: 3 }),
    },
    RedisConnectionCloser,
  ],
  exports: [AUTH_CODES_REDIS],
})
export class RedisModule {}
