import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { CommonEnv, createRedis, RedisClient } from '@up/config';
import { withTimeout } from './timeout';

/**
 * Redis PING over a connection of its own. Terminus has no ioredis indicator; this one is small.
 * A check waits at most its timeout: while Redis is away the PING waits in ioredis's queue and the
 * check reports down when the time is up (and the queued PING fails after one reconnect attempt).
 */
@Injectable()
export class RedisHealthIndicator implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisHealthIndicator.name);
  private readonly redis: RedisClient;
  private reportedDown = false;

  constructor(
    config: CommonEnv,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.redis = createRedis(config, 'health', {
      maxRetriesPerRequest: 1,
      // ioredis keeps a timer this long after disconnect() when the socket had already failed.
      disconnectTimeout: 200,
    });
    this.redis.on('error', (error: Error) => {
      // One line per outage, not one per reconnect attempt.
      if (!this.reportedDown) this.logger.warn({ err: error }, 'health check lost Redis');
      this.reportedDown = true;
    });
    this.redis.on('ready', () => {
      this.reportedDown = false;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  async pingCheck(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const check = this.indicators.check(key);
    try {
      const answer = await withTimeout(this.redis.ping(), timeoutMs);
      return answer === 'PONG'
        ? check.up()
        : check.down({ message: `unexpected answer ${answer}` });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }
}
