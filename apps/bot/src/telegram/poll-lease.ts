import type { RedisClient } from '@up/config';

// Compare-and-renew / compare-and-delete: only the holder may extend or give back the lease.
// A plain PEXPIRE or DEL could act on a lease another replica took after ours expired.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export type AcquireResult = { held: true } | { held: false; retryInMs: number };

/**
 * The right to poll getUpdates, one holder at a time: a Redis key holding the holder's id, with a
 * TTL of BOT_POLL_LEASE_SECONDS. The holder renews it; a holder that dies stops renewing and the
 * key expires, which is what lets a standby take over after a SIGKILL (nothing is released then).
 * Hand-written rather than Redlock: one Redis, one key, and the holder must also know *when* its
 * right ends (see LeasedPoller), which a lock library hides.
 */
export class PollLease {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly owner: string,
    readonly leaseMs: number,
  ) {}

  /** SET NX PX; when another replica holds it, how long until it would expire. */
  async acquire(): Promise<AcquireResult> {
    const set = await this.redis.set(this.key, this.owner, 'PX', this.leaseMs, 'NX');
    if (set === 'OK') return { held: true };
    // Still ours from before a failed renewal (a Redis hiccup): take it up again.
    if (await this.renew()) return { held: true };
    const ttl = await this.redis.pttl(this.key);
    return { held: false, retryInMs: ttl > 0 ? ttl : 0 };
  }

  /** Extends the lease if it is still ours; false if it expired or another replica holds it. */
  async renew(): Promise<boolean> {
    const renewed = await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.leaseMs));
    return renewed === 1;
  }

  /** Gives the lease back at once (a clean stop), so a standby need not wait for it to expire. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }
}
