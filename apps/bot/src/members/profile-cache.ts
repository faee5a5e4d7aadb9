import { Counter, register } from 'prom-client';
import type { MemberProfileResult, NotificationTarget } from '@up/contracts';
import { LruCache } from './lru-cache';

/** What the bot knows of the member behind a Telegram user. */
export interface CachedMember {
  result: MemberProfileResult;
  /** Language, notification settings and reachability (null: the users service had none). */
  target: NotificationTarget | null;
}

export const PROFILE_CACHE_METRIC = 'bot_profile_cache_requests_total';
export const PROFILE_CACHE_MAX = 10_000;
export const PROFILE_CACHE_TTL_MS = 5 * 60_000;

/**
 * `bot_profile_cache_requests_total{result="hit"|"miss"}`: the hit ratio is
 * `rate(...{result="hit"}) / rate(...)`. In prom-client's global registry, shared by every cache
 * of the process (tests run several replicas in one), hence the lookup before creating it.
 */
function requestsCounter(): Counter<'result'> {
  const existing = register.getSingleMetric(PROFILE_CACHE_METRIC);
  if (existing) return existing as Counter<'result'>;
  return new Counter({
    name: PROFILE_CACHE_METRIC,
    help: 'Member profile lookups of the bot by result: hit (answered from the replica cache) or miss',
    labelNames: ['result'],
  });
}

/**
 * The members this bot replica looked up recently, by Telegram id: at most 10,000 of them, each for
 * at most 5 minutes. Entries leave earlier when the member changes (`invalidate`, driven by
 * `member.updated` and `member.coins_changed`), so a new balance or language shows at once.
 *
 * A lookup that began before an invalidation is not stored when it ends: it may have read the
 * state the invalidation replaced.
 */
export class ProfileCache {
  private readonly requests = requestsCounter();
  private readonly byMember = new Map<string, number>();
  private readonly entries: LruCache<number, CachedMember>;
  /** Bumped by every invalidation: a load that saw it change stores nothing. */
  private generation = 0;

  constructor(options: { max?: number; ttlMs?: number; now?: () => number } = {}) {
    this.entries = new LruCache({
      max: options.max ?? PROFILE_CACHE_MAX,
      ttlMs: options.ttlMs ?? PROFILE_CACHE_TTL_MS,
      ...(options.now ? { now: options.now } : {}),
      onRemove: (_telegramId, member) => this.byMember.delete(member.result.profile.id),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached member, or the loader's answer (stored unless an invalidation came meanwhile). */
  async get(
    telegramId: number,
    load: () => Promise<CachedMember | undefined>,
  ): Promise<CachedMember | undefined> {
    const cached = this.entries.get(telegramId);
    if (cached) {
      this.requests.inc({ result: 'hit' });
      return cached;
    }
    this.requests.inc({ result: 'miss' });
    const generation = this.generation;
    const loaded = await load();
    if (loaded && generation === this.generation) this.set(telegramId, loaded);
    return loaded;
  }

  /** Only what is already cached (no load, not counted). */
  peek(telegramId: number): CachedMember | undefined {
    return this.entries.get(telegramId);
  }

  set(telegramId: number, member: CachedMember): void {
    this.entries.set(telegramId, member);
    this.byMember.set(member.result.profile.id, telegramId);
  }

  /** Forgets a member, by member id or Telegram id (either may be unknown here). */
  invalidate(ids: { memberId?: string; telegramId?: number | null }): void {
    this.generation += 1;
    const viaMember = ids.memberId !== undefined ? this.byMember.get(ids.memberId) : undefined;
    if (viaMember !== undefined) this.entries.delete(viaMember);
    if (ids.telegramId !== undefined && ids.telegramId !== null)
      this.entries.delete(ids.telegramId);
  }

  /** Forgets everything (invalidations may have been missed). */
  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** Hits and misses so far (all caches of the process), for tests. */
  async counts(): Promise<{ hit: number; miss: number }> {
    const { values } = await this.requests.get();
    const of = (result: string) => values.find((v) => v.labels.result === result)?.value ?? 0;
    return { hit: of('hit'), miss: of('miss') };
  }
}
