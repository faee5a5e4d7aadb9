import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisClient } from '@up/config';
import type {
  IssuedLoginCode,
  IssueLoginCodeDto,
  RedeemedLoginCode,
  RedeemLoginCodeDto,
} from '@up/contracts';
import { AuthCodesConfig } from '../config/auth-codes.config';
import { AUTH_CODES_REDIS } from '../redis/redis.module';
import { newSecret, sha256 } from '../shared/digest';
import { REDEEM_SCRIPT } from './redeem.script';
import { invalidAuthCode } from './login-codes.errors';

/**
 * Adds a new code's digest to its member's index and keeps at most ARGV[2] of them. KEYS[1] the
 * member's index (a sorted set of code digests by time of issue); ARGV: the codes' lifetime in
 * seconds, the most live codes, the new code's digest. Returns the digests evicted beyond the
 * limit (oldest first): the caller deletes their codes, so each `generate-code` or `/login` no
 * longer adds a key that nothing can remove for ten minutes. One script, so concurrent issues for
 * one member cannot both miss the trim, and each evicted digest is returned to one caller only.
 *
 * The codes themselves are not touched here: a code's key is named by its digest alone (a
 * redemption knows only the code), so on a Redis Cluster it lives in another slot than its
 * member's index, and a script may only touch keys of its own slot.
 */
const INDEX_SCRIPT = `
local ttlMs = tonumber(ARGV[1]) * 1000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttlMs)
-- Strictly after every code already there, so the oldest is always first even within one ms.
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local score = now
if newest[2] and tonumber(newest[2]) >= score then score = tonumber(newest[2]) + 1 end
redis.call('ZADD', KEYS[1], score, ARGV[3])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
local evicted = {}
if excess > 0 then
  evicted = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
end
redis.call('PEXPIRE', KEYS[1], ttlMs)
return evicted
`;

type RedeemResult = string | 0 | null;

interface LoginCodeRedis extends Redis {
  indexLoginCode(
    indexKey: string,
    ttlSeconds: number,
    maxLive: number,
    digest: string,
  ): Promise<string[]>;
  redeemLoginCode(key: string, telegramId: string): Promise<RedeemResult>;
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
 * oldest beyond that (`<prefix>:{auth:codes:<member id>}`, a sorted set of digests, keeps the
 * order; its hash tag spreads members over a Redis Cluster's shards), so however often a member
 * (or whoever holds their session) asks, their codes take a bounded room in Redis and only the
 * latest few can be redeemed. Issuing is three steps (store the code, index it, delete what the
 * index evicted) because the code and the index live in different slots: if Redis fails between
 * them, an evicted code stays redeemable until its expiry at most.
 */
@Injectable()
export class LoginCodesService {
  private readonly logger = new Logger(LoginCodesService.name);
  private readonly redis: LoginCodeRedis;

  constructor(
    @Inject(AUTH_CODES_REDIS) redis: RedisClient,
    private readonly config: AuthCodesConfig,
  ) {
    if (!('redeemLoginCode' in redis)) {
      redis.defineCommand('indexLoginCode', { numberOfKeys: 1, lua: INDEX_SCRIPT });
      redis.defineCommand('redeemLoginCode', { numberOfKeys: 1, lua: REDEEM_SCRIPT });
    }
    this.redis = redis as unknown as LoginCodeRedis;
  }

  async issue(request: IssueLoginCodeDto): Promise<IssuedLoginCode> {
    const code = newSecret();
    const value = `${request.member_id}:${request.telegram_id ?? ''}`;
    const ttl = this.config.AUTH_CODE_TTL_SECONDS;
    const stored = await this.redis.set(this.keyOf(code), value, 'EX', ttl, 'NX');
    if (stored !== 'OK') {
      // 256 random bits do not collide; if this ever happens the generator is broken.
      throw new Error('A freshly generated login code already exists');
    }
    const evicted = await this.redis.indexLoginCode(
      this.indexKeyOf(request.member_id),
      ttl,
      this.config.AUTH_CODE_MAX_LIVE_PER_MEMBER,
      digestOf(code),
    );
    // One key per command: on a Redis Cluster the codes are in as many slots.
    await Promise.all(evicted.map((digest) => this.redis.del(this.codeKeyPrefix() + digest)));
    return { code, expires_in: ttl };
  }

  async redeem(request: RedeemLoginCodeDto): Promise<RedeemedLoginCode> {
    const presented = request.telegram_id === undefined ? '' : String(request.telegram_id);
    const result = await this.redis.redeemLoginCode(this.keyOf(request.code), presented);
    if (result === null) throw invalidAuthCode();
    if (result === 0) {
      this.logger.warn('login code presented with another telegram_id; refused, code kept');
      throw invalidAuthCode();
    }
    const memberId = result.slice(0, result.indexOf(':'));
    // Out of the index too (it would otherwise leave with its expiry, or be evicted for nothing).
    await this.redis.zrem(this.indexKeyOf(memberId), digestOf(request.code));
    return { member_id: memberId };
  }

  private keyOf(code: string): string {
    return this.codeKeyPrefix() + digestOf(code);
  }

  private codeKeyPrefix(): string {
    return `${this.config.REDIS_KEY_PREFIX}:auth:login-code:`;
  }

  private indexKeyOf(memberId: string): string {
    return `${this.config.REDIS_KEY_PREFIX}:{auth:codes:${memberId}}`;
  }
}

function digestOf(code: string): string {
  return sha256(code).toString('hex');
}
