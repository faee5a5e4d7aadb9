import { createHash } from 'node:crypto';
import { applyDecorators, ExecutionContext, Injectable, Module, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import {
  normalizeIp,
  SkipThrottle,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerOptions,
} from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DomainError, ErrorCode } from '@up/contracts';
import { createRedis, isClusterClient, RedisClient } from '@up/config';
import { GatewayConfig } from '../config/gateway.config';
import { AccessTokenGuard } from './access-token.guard';
import type { RequestWithMember } from './authenticated-member';

/** The rate limits of docs/api.md: per client IP unless said otherwise. */
export const RATE_LIMITS = [
  'register',
  'token',
  'refresh',
  'logout',
  'callback',
  'generate_code',
  'telegram',
  'verify',
  'verification_mail',
  'password_change',
  'forgot',
  'forgot_email',
  'reset',
  'link',
  'writes',
  'admin_writes',
] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

/** The limits counted per signed-in member (the others count per client IP or per email). */
export const MEMBER_RATE_LIMITS: readonly RateLimitName[] = [
  'verification_mail',
  'password_change',
  'writes',
  'admin_writes',
];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * The client as the per-IP limits count it: an IPv4 address as it is (an IPv4-mapped IPv6 address
 * as the IPv4 one it carries), an IPv6 address by its network of `ipv6Prefix` bits. One host is
 * usually given a whole /64, so counting single IPv6 addresses would let it rotate through 2^64
 * of them and never be limited.
 */
export function clientKey(ip: unknown, ipv6Prefix: number): string {
  return `ip:${typeof ip === 'string' && ip.length > 0 ? normalizeIp(ip, ipv6Prefix) : 'unknown'}`;
}

/**
 * The signed-in member. `RateLimit()` runs the access-token guard before counting, so on an
 * authenticated route the member is known here; a route without authentication falls back to
 * the client's network.
 */
function byMember(ipv6Prefix: number) {
  return (request: Record<string, unknown>): string => {
    const { member } = request as Partial<RequestWithMember>;
    return member ? `member:${member.id}` : clientKey(request.ip, ipv6Prefix);
  };
}

/**
 * One counter per member for every route of the limit together (the library's default counts each
 * route apart): a member gets one budget of writes a minute, whatever mix of routes spends it.
 */
function acrossRoutes(_context: ExecutionContext, tracker: string, name: string): string {
  return createHash('sha256').update(`${name}-${tracker}`).digest('hex');
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
  const member = byMember(config.RATE_LIMIT_IPV6_PREFIX);
  const limits: Record<RateLimitName, Omit<ThrottlerOptions, 'name'>> = {
    register: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_REGISTER_PER_MINUTE },
    token: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_TOKEN_PER_MINUTE },
    refresh: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_REFRESH_PER_MINUTE },
    logout: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_LOGOUT_PER_MINUTE },
    callback: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_CALLBACK_PER_MINUTE },
    generate_code: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_GENERATE_CODE_PER_MINUTE },
    telegram: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_TELEGRAM_PER_MINUTE },
    verify: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_VERIFY_PER_MINUTE },
    verification_mail: {
      ttl: HOUR_MS,
      limit: config.RATE_LIMIT_VERIFICATION_MAIL_PER_HOUR,
      getTracker: member,
    },
    password_change: {
      ttl: HOUR_MS,
      limit: config.RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR,
      getTracker: member,
    },
    forgot: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_FORGOT_PER_MINUTE },
    forgot_email: {
      ttl: HOUR_MS,
      limit: config.RATE_LIMIT_FORGOT_PER_EMAIL_PER_HOUR,
      getTracker: byBodyEmail,
    },
    reset: { ttl: MINUTE_MS, limit: config.RATE_LIMIT_RESET_PER_MINUTE },
    link: { ttl: HOUR_MS, limit: config.RATE_LIMIT_LINK_PER_HOUR, getTracker: member },
    writes: {
      ttl: MINUTE_MS,
      limit: config.RATE_LIMIT_WRITES_PER_MINUTE,
      getTracker: member,
      generateKey: acrossRoutes,
    },
    admin_writes: {
      ttl: MINUTE_MS,
      limit: config.RATE_LIMIT_ADMIN_WRITES_PER_MINUTE,
      getTracker: member,
      generateKey: acrossRoutes,
    },
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
 * TRUST_PROXY says the proxy in front is trusted; IPv6 clients count by network (`clientKey`).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(clientKey(request.ip, this.ipv6SubnetPrefix));
  }
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

/**
 * Counts the route against these limits (and none of the others). The access-token guard goes
 * first (it checks a token once per request however often it is listed, and passes routes that
 * need none), so a per-member limit knows the member whatever order the decorators are in.
 */
export function RateLimit(...names: RateLimitName[]): MethodDecorator {
  const others = Object.fromEntries(
    RATE_LIMITS.filter((n) => !names.includes(n)).map((n) => [n, true]),
  );
  return applyDecorators(
    SkipThrottle(others),
    UseGuards(AccessTokenGuard, RateLimitGuard),
    ApiTooManyRequestsResponse({ description: 'Rate limited; see the Retry-After header' }),
  );
}

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorageRedisService['increment']>>;

/** The storage's script as a command of the client: run by its SHA, its text sent once. */
interface ThrottlerScriptClient {
  upThrottlerIncrement(
    hitKey: string,
    blockKey: string,
    throttlerName: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<unknown>;
}

/**
 * The library's storage, whose `increment` sends its whole Lua script with every request (EVAL):
 * the same script and keys, defined once as a client command, which ioredis runs with EVALSHA
 * (loading the script again only when Redis answers NOSCRIPT). It owns the connection and closes
 * it on shutdown as it would one it had made itself.
 */
export class ThrottlerStorage extends ThrottlerStorageRedisService {
  constructor(client: RedisClient) {
    if (isClusterClient(client)) super(client);
    else super(client);
    this.disconnectRequired = true;
    client.defineCommand('upThrottlerIncrement', { numberOfKeys: 2, lua: this.scriptSrc });
  }

  override async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const results = await (this.redis as unknown as ThrottlerScriptClient).upThrottlerIncrement(
      `{${key}:${throttlerName}}:hits`,
      `{${key}:${throttlerName}}:blocked`,
      throttlerName,
      ttl,
      limit,
      blockDuration,
    );
    if (!Array.isArray(results) || !results.every((value) => typeof value === 'number')) {
      throw new TypeError(
        `Expected four numbers from the rate-limit script, got ${String(results)}`,
      );
    }
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = results as number[];
    return {
      totalHits,
      timeToExpire: Math.ceil(timeToExpire / 1000),
      isBlocked: isBlocked === 1,
      timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
    };
  }
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
        ipv6SubnetPrefix: config.RATE_LIMIT_IPV6_PREFIX,
        storage: new ThrottlerStorage(
          createRedis(config, 'gateway:ratelimit', {
            keyPrefix: `${config.REDIS_KEY_PREFIX}:ratelimit:`,
            maxRetriesPerRequest: 2,
          }),
        ),
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
