import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createRedis, RedisClient } from '@up/config';
import { GatewayConfig } from '../config/gateway.config';

/**
 * The gateway's Redis connection for sign-in state shared by every replica: password sign-in
 * failures per email and the Telegram sign-in payloads already used. Commands fail after a couple
 * of retries while Redis is away, so a sign-in answers 503 instead of hanging.
 */
@Injectable()
export class AuthRedis implements OnApplicationShutdown {
  private readonly logger = new Logger(AuthRedis.name);
  readonly client: RedisClient;

  constructor(private readonly config: GatewayConfig) {
    this.client = createRedis(config, 'gateway:auth', { maxRetriesPerRequest: 2 });
    // One line per outage, not one per reconnection attempt.
    let down = false;
    this.client.on('error', (error: Error) => {
      if (!down) this.logger.warn({ err: error }, 'sign-in state connection lost');
      down = true;
    });
    this.client.on('ready', () => {
      down = false;
    });
  }

  /** `<REDIS_KEY_PREFIX>:gateway:<name>`: every key of this deployment starts with the prefix. */
  key(name: string): string {
    return `${this.config.REDIS_KEY_PREFIX}:gateway:${name}`;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
