import type { RedisClient } from '@up/config';

/**
 * Telegram may hand one update over twice: a webhook delivery whose 200 got lost is retried, and a
 * poller taking over gets again what the previous one received but never confirmed. The first
 * replica to see an update_id claims it (SET NX with a TTL) and handles it; the others drop it.
 * Telegram keeps undelivered updates for 24 hours, so a claim outlives any redelivery.
 */
export const HANDLED_UPDATE_TTL_SECONDS = 24 * 60 * 60;

export class UpdateDedupe {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyOf: (updateId: number) => string,
  ) {}

  /** The ids of `updateIds` seen here for the first time, claimed for this replica. */
  async claim(updateIds: number[]): Promise<Set<number>> {
    if (updateIds.length === 0) return new Set();
    const pipeline = this.redis.pipeline();
    for (const id of updateIds) {
      pipeline.set(this.keyOf(id), '1', 'EX', HANDLED_UPDATE_TTL_SECONDS, 'NX');
    }
    const results = (await pipeline.exec()) ?? [];
    const fresh = new Set<number>();
    results.forEach(([error, reply], index) => {
      if (error) throw error;
      if (reply === 'OK') fresh.add(updateIds[index]);
    });
    return fresh;
  }
}
