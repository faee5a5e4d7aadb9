import { Injectable, Logger } from '@nestjs/common';
import { profileVersionKey } from '@up/contracts';
import { SET_IF_GREATER } from './set-if-greater.script';
import { UsersRedis } from './users-redis';

/** How long a version key lives without a change or a profile read (the gateway falls back to asking). */
export const PROFILE_VERSION_TTL_SECONDS = 7 * 24 * 3600;
/** Versions remembered while Redis is away; beyond that the oldest are dropped (their TTL bounds staleness). */
const MAX_PENDING = 10_000;

type RedisWithScript = UsersRedis['client'] & {
  upSetIfGreater(key: string, version: number, ttlSeconds: number): Promise<number>;
};

/**
 * Publishes a member's profile version to Redis (`<prefix>:users:profile-version:<member id>`)
 * after each commit, so that the gateway can answer `If-None-Match` on `/api/users/me` with one
 * Redis read. Never fails the caller: the database commit already happened. What could not be
 * written is kept and written when Redis is back, so the gateway does not keep a stale version.
 */
@Injectable()
export class ProfileVersionPublisher {
  private readonly logger = new Logger(ProfileVersionPublisher.name);
  private readonly redis: RedisWithScript;
  private readonly pending = new Map<string, number>();

  constructor(private readonly usersRedis: UsersRedis) {
    usersRedis.client.defineCommand('upSetIfGreater', { numberOfKeys: 1, lua: SET_IF_GREATER });
    this.redis = usersRedis.client as RedisWithScript;
    usersRedis.client.on('ready', () => void this.flushPending());
  }

  key(memberId: string): string {
    return profileVersionKey(this.usersRedis.prefix, memberId);
  }

  async publish(versions: ReadonlyMap<string, number>): Promise<void> {
    await Promise.all(
      [...versions].map(([memberId, version]) => this.publishOne(memberId, version)),
    );
  }

  async publishOne(memberId: string, version: number): Promise<void> {
    try {
      await this.redis.upSetIfGreater(this.key(memberId), version, PROFILE_VERSION_TTL_SECONDS);
    } catch (error) {
      this.remember(memberId, version);
      this.logger.warn(
        { err: error, memberId, version },
        'profile version not published; kept for later',
      );
    }
  }

  /** The version stored in Redis (tests, diagnostics). */
  async current(memberId: string): Promise<number | null> {
    const value = await this.redis.get(this.key(memberId));
    return value === null ? null : Number(value);
  }

  private remember(memberId: string, version: number): void {
    const known = this.pending.get(memberId) ?? 0;
    this.pending.delete(memberId);
    this.pending.set(memberId, Math.max(known, version));
    if (this.pending.size > MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
  }

  private async flushPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const versions = new Map(this.pending);
    this.pending.clear();
    this.logger.log(
      { count: versions.size },
      'publishing profile versions kept while Redis was away',
    );
    await this.publish(versions);
  }
}
