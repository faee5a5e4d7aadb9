import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { GatewayConfig } from '../config/gateway.config';
import { AuthRedis } from './auth-redis';

/**
 * Takes an attempt for one email. KEYS[1] the email's counter, `<failures>:<blocked until, ms>`;
 * ARGV: threshold, first delay (ms), longest delay (ms), how long an idle count lives (ms).
 * Returns 0 when the attempt may go ahead (and counts it as a failure until `succeeded` says
 * otherwise), or the milliseconds to wait. Counting up front, in one script, means concurrent
 * attempts cannot all slip through before the first failure is recorded. Redis's clock (TIME),
 * so every gateway replica agrees on "now".
 */
const ATTEMPT_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local failures, blocked = 0, 0
local value = redis.call('GET', KEYS[1])
if value then
  local separator = string.find(value, ':', 1, true)
  failures = tonumber(string.sub(value, 1, separator - 1))
  blocked = tonumber(string.sub(value, separator + 1))
end
if blocked > now then return blocked - now end
failures = failures + 1
local threshold = tonumber(ARGV[1])
if failures >= threshold then
  blocked = now + math.min(tonumber(ARGV[2]) * 2 ^ (failures - threshold), tonumber(ARGV[3]))
end
redis.call('SET', KEYS[1], failures .. ':' .. blocked, 'PX', math.max(tonumber(ARGV[4]), blocked - now))
return 0
`;

/** Gives back an attempt that failed for another reason than the password (the count only). */
const REFUND_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local separator = string.find(value, ':', 1, true)
local failures = tonumber(string.sub(value, 1, separator - 1))
if failures <= 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('SET', KEYS[1], (failures - 1) .. string.sub(value, separator), 'KEEPTTL')
return 0
`;

interface LoginFailureRedis extends Redis {
  loginAttempt(
    key: string,
    threshold: number,
    baseMs: number,
    maxMs: number,
    windowMs: number,
  ): Promise<number>;
  loginRefund(key: string): Promise<number>;
}

export type LoginAttempt = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Password sign-in failures per account, so that a botnet cannot try one account's passwords from
 * many addresses (the per-IP limit does not see it). After RATE_LIMIT_LOGIN_FAILURES failures for
 * an email, each further attempt must wait RATE_LIMIT_LOGIN_DELAY_BASE_MS, doubling per failure
 * up to RATE_LIMIT_LOGIN_DELAY_MAX_SECONDS; an attempt made while it must wait is refused
 * without checking the password. A successful sign-in resets the count.
 *
 * Counted by email whether or not anyone has it, so the answers tell nothing about who is
 * registered; the key is the email's SHA-256 (`<prefix>:gateway:login-failures:<hex>`), never the
 * address. The trade-off: anyone can make a member wait by failing on purpose with their email.
 * The wait grows with each failure but is capped and never a hard lock, so the member gets in
 * again within RATE_LIMIT_LOGIN_DELAY_MAX_SECONDS, and Telegram and login-code sign-ins are not
 * affected; an attacker, in return, gets about 100 guesses a day per account instead of millions.
 */
@Injectable()
export class LoginFailures {
  private readonly redis: LoginFailureRedis;

  constructor(
    private readonly auth: AuthRedis,
    private readonly config: GatewayConfig,
  ) {
    const client = auth.client;
    if (!('loginAttempt' in client)) {
      client.defineCommand('loginAttempt', { numberOfKeys: 1, lua: ATTEMPT_SCRIPT });
      client.defineCommand('loginRefund', { numberOfKeys: 1, lua: REFUND_SCRIPT });
    }
    this.redis = client as LoginFailureRedis;
  }

  /** Takes an attempt for `email`, counted as a failure until `succeeded` or `notAFailure`. */
  async attempt(email: string): Promise<LoginAttempt> {
    const waitMs = await this.redis.loginAttempt(
      this.keyOf(email),
      this.config.RATE_LIMIT_LOGIN_FAILURES,
      this.config.RATE_LIMIT_LOGIN_DELAY_BASE_MS,
      this.config.RATE_LIMIT_LOGIN_DELAY_MAX_SECONDS * 1000,
      this.config.RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    );
    return waitMs > 0
      ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) }
      : { allowed: true };
  }

  /** The password was right: the count starts again. */
  async succeeded(email: string): Promise<void> {
    await this.redis.del(this.keyOf(email));
  }

  /** The attempt failed for another reason than the password (e.g. a service timed out). */
  async notAFailure(email: string): Promise<void> {
    await this.redis.loginRefund(this.keyOf(email));
  }

  private keyOf(email: string): string {
    const digest = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    return this.auth.key(`login-failures:${digest}`);
  }
}
