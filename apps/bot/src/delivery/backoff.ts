/**
 * Delay before retry number `attempt` (1-based) after a 5xx or network error: exponential from
 * `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half random) so that messages
 * that failed together do not all come back together, and no retry is immediate.
 */
export function retryDelayMs(options: {
  attempt: number;
  baseMs: number;
  maxMs: number;
  random?: () => number;
}): number {
  const { attempt, baseMs, maxMs, random = Math.random } = options;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
