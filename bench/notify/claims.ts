import type Redis from 'ioredis';

/**
 * Which bot replica claimed which message, sampled from the delivery queue's in-flight set while
 * the broadcast runs (a finished message no longer names its sender): evidence that every replica
 * took part, without touching the bot's code.
 */
export class ClaimSampler {
  private readonly owners = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  /** `base` is the queue's key base, `<REDIS_KEY_PREFIX>:{bot-delivery}:`. */
  constructor(
    private readonly redis: Redis,
    private readonly base: string,
    private readonly everyMs = 200,
    private readonly perSample = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  /** Stops sampling; answers how many distinct messages each replica was seen holding. */
  stop(): Record<string, number> {
    clearInterval(this.timer);
    const counts: Record<string, number> = {};
    for (const owner of this.owners.values()) counts[owner] = (counts[owner] ?? 0) + 1;
    return counts;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const keys = await this.redis.zrange(`${this.base}inflight`, 0, this.perSample - 1);
      if (keys.length === 0) return;
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.hget(`${this.base}msg:${key}`, 'owner');
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, owner], i) => {
        if (!error && typeof owner === 'string' && owner) this.owners.set(keys[i], owner);
      });
    } catch {
      // A missed sample only thins the evidence.
    } finally {
      this.busy = false;
    }
  }
}
