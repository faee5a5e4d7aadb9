import type { MemberProfileResult, NotificationTarget } from '@up/contracts';
import { CachedMember, ProfileCache } from './profile-cache';

function memberOf(id: string, coins = 0): CachedMember {
  return {
    result: { profile: { id, up_coins: coins }, version: 1 } as MemberProfileResult,
    target: { member_id: id, reachable: true } as NotificationTarget,
  };
}

describe(ProfileCache.name, () => {
  let now: number;
  const newCache = (max = 3) => new ProfileCache({ max, ttlMs: 1000, now: () => now });

  beforeEach(() => {
    now = 0;
  });

  it('answers a second lookup from the cache and counts hits and misses', async () => {
    const sut = newCache();
    const load = jest.fn(async () => memberOf('m1', 5));
    const before = await sut.counts();
    await sut.get(1, load);
    expect((await sut.get(1, load))?.result.profile.up_coins).toBe(5);
    expect(load).toHaveBeenCalledTimes(1);
    const after = await sut.counts();
    expect(after.hit - before.hit).toBe(1);
    expect(after.miss - before.miss).toBe(1);
  });

  it('forgets an entry after its time to live', async () => {
    const sut = newCache();
    const load = jest.fn(async () => memberOf('m1'));
    await sut.get(1, load);
    now = 1000;
    await sut.get(1, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('evicts the least recently used entry beyond its bound', async () => {
    const sut = newCache(2);
    await sut.get(1, async () => memberOf('m1'));
    await sut.get(2, async () => memberOf('m2'));
    sut.peek(1); // 1 is now more recent than 2
    await sut.get(3, async () => memberOf('m3'));
    expect(sut.size).toBe(2);
    expect(sut.peek(2)).toBeUndefined();
    expect(sut.peek(1)).toBeDefined();
  });

  it('invalidates by member id or Telegram id', async () => {
    const sut = newCache();
    await sut.get(1, async () => memberOf('m1'));
    await sut.get(2, async () => memberOf('m2'));
    sut.invalidate({ memberId: 'm1' });
    sut.invalidate({ telegramId: 2 });
    expect(sut.size).toBe(0);
  });

  it('does not store a lookup that an invalidation overtook', async () => {
    const sut = newCache();
    let release: (member: CachedMember) => void = () => undefined;
    const pending = sut.get(1, () => new Promise<CachedMember>((resolve) => (release = resolve)));
    sut.invalidate({ memberId: 'm1' });
    release(memberOf('m1', 1));
    await pending;
    expect(sut.peek(1)).toBeUndefined();
  });
});
