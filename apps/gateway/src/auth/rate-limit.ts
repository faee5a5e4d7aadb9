import { createHash } from 'node:crypto';
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
import type { RequestWithMember } from './authenticated-member';

/** The rate limits of docs/api.md: per client IP unless said otherwise. */
export const RATE_LIMITS = [
  'register',
  'token',
  'callback',
  'verify',
  'verification_mail',
  'forgot',
  'forgot_email',
  'reset',
  'link',
] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** The signed-in member (routes whose controller is @Authenticated, so the guard ran first). */
function byMember(request: Record<string, unknown>): string {
  const { member } = request as Partial<RequestWithMember>;
  return member ? `member:${member.id}` : `ip:${String(request.ip)}`;
}

/**
 * The email address in the body, hashed (the counter's Redis key never holds an address). Counted
 * whether or not anyone has that address, so the limit tells nothing about who is registered.
 */
function byBodyEmail(request: Record<string, unknown>): string {
  const body = request.body as { email?: unknown } | undefined;
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  return `email:${createHash('sha256').update(email).digest('hex')}`;
}

export function rateLimitThrottlers(config: GatewayConfig): ThrottlerOptions[] {
  const limits: Record<RateLimitName, Omit<ThrottlerOptions, 'name'>> = {
    register: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_REGISTER_PER_MINUTE },
    token: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_TOKEN_PER_MINUTE },
    callback: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_CALLBACK_PER_MINUTE },
    verify: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_VERIFY_PER_MINUTE },
    verification_mail: {
      ttl: HOUR_MS,
      limit: config.RATE_LIMIT_VERIFICATION_MAIL_PER_HOUR,
      getTracker: byMember,
    },
    forgot: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_FORGOT_PER_MINUTE },
    forgot_email: {
      ttl: HOUR_MS,
      limit: config.RATE_LIMIT_FORGOT_PER_EMAIL_PER_HOUR,
      getTracker: byBodyEmail,
    },
    reset: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_RESET_PER_MINUTE },
    link: { ttl: HOUR_MS, limit: config.RATE_LIMIT_LINK_PER_HOUR, getTracker: byMember },
  };
  return RATE_LIMITS.map((name) => ({ name, ...limits[name] }));
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

/** Counts the route against these limits (and none of the others). */
export function RateLimit(...names: RateLimitName[]): MethodDecorator {
  const others = Object.fromEntries(
    RATE_LIMITS.filter((n) => !names.includes(n)).map((n) => [n, true]),
  );
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
