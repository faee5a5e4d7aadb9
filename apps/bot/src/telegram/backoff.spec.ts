import { Backoff, pause } from './backoff';

describe(Backoff.name, () => {
  it('doubles its ceiling from 1 s to 60 s, each delay between half the ceiling and the ceiling', () => {
    const lowest = new Backoff({ random: () => 0 });
    const highest = new Backoff({ random: () => 0.999999 });
    const low = Array.from({ length: 9 }, () => lowest.next());
    const high = Array.from({ length: 9 }, () => highest.next());

    expect(low).toEqual([1000, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('spreads the delays of replicas that failed together', () => {
    const thirdDelay = () => {
      const backoff = new Backoff();
      backoff.next();
      backoff.next();
      return backoff.next();
    };
    expect(new Set(Array.from({ length: 20 }, thirdDelay)).size).toBeGreaterThan(1);
    const sut = new Backoff();
    for (let i = 0; i < 50; i += 1) {
      const delay = sut.next();
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(60_000);
    }
  });

  it('starts over from 1 s after a success', () => {
    const sut = new Backoff({ random: () => 0.999999 });
    for (let i = 0; i < 8; i += 1) sut.next();
    expect(sut.attempts).toBe(8);

    sut.reset();

    expect(sut.attempts).toBe(0);
    expect(sut.next()).toBe(1000);
    expect(sut.next()).toBe(2000);
  });

  it('pauses until aborted', async () => {
    const controller = new AbortController();
    const paused = pause(60_000, controller.signal);
    controller.abort();
    await expect(paused).resolves.toBeUndefined();
  });
});
