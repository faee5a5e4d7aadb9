import { createHash } from 'node:crypto';
import type { RedisClient } from '@up/config';

/**
 * A Lua script run by its SHA (EVALSHA), loaded on first use and again after a Redis restart
 * (NOSCRIPT). ioredis's defineCommand does the same but adds untyped methods to the client.
 */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * `slotKey`, a key of the slot every key the script touches is in, is declared as KEYS[1] (the
   * scripts read only ARGV): on a Redis Cluster it routes the script to the node holding that slot.
   */
  async run(redis: RedisClient, slotKey: string, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 1, slotKey, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, 1, slotKey, ...args);
    }
  }
}
