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
 * Consumes a code atomically. KEYS[1] the code's key; ARGV[1] the telegram_id presented, or ''.
 * Returns nil (unknown, expired or already used), 0 (the presented telegram_id differs from the
 * one the code was issued for: the code is left in place) or the stored value (and deletes it).
 * One script, so two redemptions can never both see the value: Redis runs scripts one at a time.
 */
const REDEEM_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return false end
if ARGV[1] ~= '' then
  local separator = string.find(value, ':', 1, true)
  if string.sub(value, separator + 1) ~= ARGV[1] then return 0 end
end
redis.call('DEL', KEYS[1])
return value
`;

type RedeemResult = string | 0 | null;

interface LoginCodeRedis extends Redis {
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
      redis.defineCommand('redeemLoginCode', { numberOfKeys: 1, lua: REDEEM_SCRIPT });
    }
    this.redis = redis as LoginCodeRedis;
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
    return { member_id: result.slice(0, result.indexOf(':')) };
  }

  private keyOf(code: string): string {
    return `${this.config.REDIS_KEY_PREFIX}:auth:login-code:${sha256(code).toString('hex')}`;
  }
}
