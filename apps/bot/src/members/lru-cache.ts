/**
 * A bounded LRU map whose entries also expire `ttlMs` after they were set.
 *
 * Hand-written (forty lines on a Map, whose insertion order is the recency order) because the
 * platform declares no LRU package: the `lru-cache` found in node_modules is a 5.x copy hoisted
 * for a build tool, not a dependency of ours. With `lru-cache` (11.x) declared in package.json,
 * this class becomes `new LRUCache({ max, ttl })` behind the same four methods.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly options: {
      max: number;
      ttlMs: number;
      /** Called for each entry that leaves (evicted, expired, deleted or replaced). */
      onRemove?: (key: K, value: V) => void;
      now?: () => number;
    },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.options.onRemove?.(key, entry.value);
      return undefined;
    }
    // Re-inserted: now the most recently used.
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.max) {
      const oldest = this.entries.keys().next().value as K;
      this.delete(oldest);
    }
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.options.onRemove?.(key, entry.value);
    return true;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
