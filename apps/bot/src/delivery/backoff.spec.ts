import { retryDelayMs } from './backoff';

describe(retryDelayMs.name, () => {
  it('doubles per attempt, half of it random', () => {
    const at = (attempt: number, random: number) =>
      retryDelayMs({ attempt, baseMs: 1000, maxMs: 60_000, random: () => random });

    expect([1, 2, 3].map((attempt) => at(attempt, 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((attempt) => at(attempt, 1))).toEqual([1000, 2000, 4000]);
  });

  it('stays under the cap', () => {
    expect(retryDelayMs({ attempt: 30, baseMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(
      60_000,
    );
  });
});
