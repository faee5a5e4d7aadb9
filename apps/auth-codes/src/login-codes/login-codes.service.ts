import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import type {
  IssuedLoginCode,
  IssueLoginCodeDto,
  RedeemedLoginCode,
  RedeemLoginCodeDto,
} from '@up/contracts';
import { AuthCodesConfig } from '../config/auth-codes.config';
import { AUTH_CODES_REDIS } from '../redis/redis.module';
import { newSecret, sha256 } from '../shared/digest';
import { invalidAuthCode } from './login-codes.errors';

/**
 * Stores a new code and keeps at most ARGV[3] of the member's codes live. KEYS[1] the new code's
 * key, KEYS[2] the member's index (a sorted set of code digests by time of issue); ARGV: the
 * stored value, the lifetime in seconds, the most live codes, the new code's digest, and the key
 * prefix of codes (`<prefix>:auth:login-code:`). Beyond the limit the oldest codes are deleted,
 * so each `generate-code` or `/login` no longer adds a key that nothing can remove for ten
 * minutes. One script, so concurrent issues for one member cannot both miss the trim. Returns
 * the number of codes replaced, or -1 if the key already existed. (The evicted codes' keys are
 * named from their digests inside the script: fine on one Redis, not on Redis Cluster.)
 */
const ISSUE_SCRIPT = `
local ttlMs = tonumber(ARGV[2]) * 1000
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ttlMs, 'NX') then return -1 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttlMs)
-- Strictly after every code already there, so the oldest is always first even within one ms.
local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local score = now
if newest[2] and tonumber(newest[2]) >= score then score = tonumber(newest[2]) + 1 end
redis.call('ZADD', KEYS[2], score, ARGV[4])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  for _, digest in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do
    redis.call('DEL', ARGV[5] .. digest)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
else
  excess = 0
end
redis.call('PEXPIRE', KEYS[2], ttlMs)
return excess
`;

/**
 * Consumes a code atomically. KEYS[1] the code's key; ARGV[1] the telegram_id presented, or '';
 * ARGV[2] the key prefix of the members' indexes, ARGV[3] the code's digest (taken out of its
 * member's index). Returns nil (unknown, expired or already used), 0 (the presented telegram_id
 * differs from the one the code was issued for: the code is left in place) or the stored value
 * (and deletes it). One script, so two redemptions can never both see the value: Redis runs
 * scripts one at a time.
 */
const REDEEM_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
local separator = string.find(value, ':', 1, true)
if ARGV[1] ~= '' then
  if string.sub(value, separator + 1) ~= ARGV[1] then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[2] .. string.sub(value, 1, separator - 1), ARGV[3])
return value
`;

type RedeemResult = string | 0 | null;

interface LoginCodeRedis extends Redis {
  issueLoginCode(
    key: string,
    indexKey: string,
    value: string,
    ttlSeconds: number,
    maxLive: number,
    digest: string,
    codeKeyPrefix: string,
  ): Promise<number>;
  redeemLoginCode(
    key: string,
    telegramId: string,
    indexKeyPrefix: string,
    digest: string,
  ): Promise<RedeemResult>;
}

/**
 * One-time login codes. A code is 256 random bits; Redis keeps only its SHA-256 as the key
 * (`<prefix>:auth:login-code:<sha256 hex>`), with the member id and Telegram id as the value and
 * AUTH_CODE_TTL_SECONDS as the expiry, so a copy of Redis holds no usable code.
 *
 * Telegram binding: a redemption that names a telegram_id must name the one the code was issued
 * for (a code issued for a member without Telegram matches no telegram_id). A mismatch is refused
 * like an unknown code but does not consume it: the binding is a consistency check of the web
 * frontend, not a secret, and burning the code would let a confused client lock its owner out.
 *
 * At most AUTH_CODE_MAX_LIVE_PER_MEMBER codes of a member are live at once: a new one replaces the
 * oldest beyond that (`<prefix>:auth:login-codes-of:<member id>`, a sorted set of digests, keeps
 * the order), so however often a member (or whoever holds their session) asks, their codes take
 * a bounded room in Redis and only the latest few can be redeemed.
 */
@Injectable()
export class LoginCodesService {
  private readonly logger = new Logger(LoginCodesService.name);
  private readonly redis: LoginCodeRedis;

  constructor(
    @Inject(AUTH_CODES_REDIS) redis: Redis,
    private readonly config: AuthCodesConfig,
  ) {
    if (!('redeemLoginCode' in redis)) {
      redis.defineCommand('issueLoginCode', { numberOfKeys: 2, lua: ISSUE_SCRIPT });
      redis.defineCommand('redeemLoginCode', { numberOfKeys: 1, lua: REDEEM_SCRIPT });
    }
    this.redis = redis as LoginCodeRedis;
  }

  async issue(request: IssueLoginCodeDto): Promise<IssuedLoginCode> {
    const code = newSecret();
    const value = `${request.member_id}:${request.telegram_id ?? ''}`;
    const ttl = this.config.AUTH_CODE_TTL_SECONDS;
    const replaced = await this.redis.issueLoginCode(
      this.keyOf(code),
      this.indexKeyPrefix() + request.member_id,
      value,
      ttl,
      this.config.AUTH_CODE_MAX_LIVE_PER_MEMBER,
      digestOf(code),
      this.codeKeyPrefix(),
    );
    if (replaced < 0) {
      // 256 random bits do not collide; if this ever happens the generator is broken.
      throw new Error('A freshly generated login code already exists');
    }
    return { code, expires_in: ttl };
  }

  async redeem(request: RedeemLoginCodeDto): Promise<RedeemedLoginCode> {
    const presented = request.telegram_id === undefined ? '' : String(request.telegram_id);
    const result = await this.redis.redeemLoginCode(
      this.keyOf(request.code),
      presented,
      this.indexKeyPrefix(),
      digestOf(request.code),
    );
    if (result === null) throw invalidAuthCode();
    if (result === 0) {
      this.logger.warn('login code presented with another telegram_id; refused, code kept');
      throw invalidAuthCode();
    }
    return { member_id: result.slice(0, result.indexOf(':')) };
  }

  private keyOf(code: string): string {
    return this.codeKeyPrefix() + digestOf(code);
  }

  private codeKeyPrefix(): string {
    return `${this.config.REDIS_KEY_PREFIX}:auth:login-code:`;
  }

  private indexKeyPrefix(): string {
    return `${this.config.REDIS_KEY_PREFIX}:auth:login-codes-of:`;
  }
}

function digestOf(code: string): string {
  return sha256(code).toString('hex');
}
