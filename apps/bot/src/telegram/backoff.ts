export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
  /** Uniform in [0, 1); tests pass a fixed one. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter: the n-th delay in a row is drawn from [cap/2, cap] with
 * cap = min(max, min * 2^(n-1)), never below min; `reset()` after a success starts over.
 * Half of the delay is random so replicas that failed together (Telegram or Redis away for all
 * of them) do not come back in lockstep; the other half keeps the growth that lets a rate-limited
 * or overloaded API recover. aiogram's utils/backoff.py does the same with a normal jitter.
 * Hand-written: ten lines, and the retry libraries wrap a call, while the pollers here need the
 * delay itself (a long poll's own timeout, a retry_after that may be longer).
 */
export class Backoff {
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.minMs = options.minMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt, after one more failure. */
  next(): number {
    this.failures += 1;
    const cap = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.failures - 1, 30));
    return Math.max(this.minMs, Math.round(cap / 2 + (cap / 2) * this.random()));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
