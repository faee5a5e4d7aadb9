import { applyDecorators, ExecutionContext, Injectable, Module, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import {
  SkipThrottle,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerOptions,
} from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DomainError, ErrorCode } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';

/** The sign-in rate limits of docs/api.md, each per client IP and minute. */
export const RATE_LIMITS = ['register', 'token', 'callback'] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

const MINUTE_MS = 60_000;

export function rateLimitThrottlers(config: GatewayConfig): ThrottlerOptions[] {
  const perMinute: Record<RateLimitName, number> = {
    register: config.RATE_LIMIT_REGISTER_PER_MINUTE,
    token: config.RATE_LIMIT_TOKEN_PER_MINUTE,
    callback: config.RATE_LIMIT_CALLBACK_PER_MINUTE,
  };
  return RATE_LIMITS.map((name) => ({ name, ttl: MINUTE_MS, limit: perMinute[name] }));
}

interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * @nestjs/throttler's guard, answering over the limit with docs/api.md's 429: a plain `Retry-After`
 * (the library names it `Retry-After-<throttler>` for named throttlers) and the platform's error
 * body. The client address is Fastify's `request.ip`, which follows X-Forwarded-For only when
 * TRUST_PROXY says the proxy in front is trusted.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<HeaderSink>().header('Retry-After', String(retryAfter));
    throw new DomainError(
      ErrorCode.RATE_LIMITED,
      `Too many requests, retry in ${retryAfter} seconds`,
    );
  }
}

/** Counts the route against one of the sign-in limits (and none of the others). */
export function RateLimit(name: RateLimitName): MethodDecorator {
  const others = Object.fromEntries(RATE_LIMITS.filter((n) => n !== name).map((n) => [n, true]));
  return applyDecorators(
    SkipThrottle(others),
    UseGuards(RateLimitGuard),
    ApiTooManyRequestsResponse({ description: 'Rate limited; see the Retry-After header' }),
  );
}

/**
 * Counters live in Redis (so the limits hold across gateway replicas) under
 * `${REDIS_KEY_PREFIX}:ratelimit:`, each with an expiry (the storage's script sets one on every
 * counter and block key). The storage owns its connection and closes it on shutdown.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => ({
        throttlers: rateLimitThrottlers(config),
        storage: new ThrottlerStorageRedisService(config.REDIS_URL, {
          keyPrefix: `${config.REDIS_KEY_PREFIX}:ratelimit:`,
          connectionName: 'gateway:ratelimit',
          maxRetriesPerRequest: 2,
        }),
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
