import type { Logger } from '@nestjs/common';

/** What a round answers: `more` runs the next round at once (a full batch); `idle` waits. */
export type LoopRound = 'more' | 'idle';

export interface BackgroundLoopOptions {
  /** Names the loop in its log lines ("outbox relay failed; retrying"). */
  name: string;
  /** The owner's logger, so the lines carry the owner's context. */
  logger: Logger;
  /** The wait after a round with nothing more to do. 0 or less: the loop never starts. */
  intervalMs: number;
  /** One round of work. A thrown error counts as a failure; the loop goes on. */
  step: () => Promise<LoopRound | void>;
  /**
   * The wait after the n-th failure in a row: `initialMs` doubling up to `maxMs`. Without it, a
   * failed round waits one interval, like an idle one.
   */
  backoff?: { initialMs: number; maxMs: number };
  /** `at-start` (default): the first round runs at once; `after-interval`: one interval later. */
  firstRound?: 'at-start' | 'after-interval';
}

/**
 * A loop in the background of a replica: runs a round, waits an interval (or until nudged), and
 * runs the next; while rounds fail it backs off, with one log line when an outage begins and one
 * when it ends rather than one per attempt. `stop()` lets the round in progress finish, so the
 * owner calls it from a shutdown hook that precedes closing the connections the round uses.
 *
 * Hand-written rather than a scheduler library: the rounds here are sequential, nudged by a local
 * commit and tied to the Nest lifecycle; a cron or job-queue library brings none of that.
 */
export class BackgroundLoop {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;
  private failures = 0;

  constructor(private readonly options: BackgroundLoopOptions) {}

  /** Starts the rounds (once; not when the interval is 0 or less). */
  start(): void {
    if (this.loop || this.options.intervalMs <= 0) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the wait at once, lets the round in progress finish, and resolves when it has. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Runs the next round now rather than after the wait; a nudge during a round runs another. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    if (this.options.firstRound === 'after-interval') await this.sleep(this.options.intervalMs);
    while (this.running) {
      this.nudged = false;
      let round: LoopRound | void;
      try {
        round = await this.options.step();
      } catch (error) {
        this.failures += 1;
        if (this.failures === 1) {
          this.options.logger.warn({ err: error }, `${this.options.name} failed; retrying`);
        }
        await this.sleep(this.backoffMs());
        continue;
      }
      if (this.failures > 0) {
        this.options.logger.log({ failures: this.failures }, `${this.options.name} working again`);
        this.failures = 0;
      }
      if (round !== 'more' && !this.nudged) await this.sleep(this.options.intervalMs);
    }
  }

  private backoffMs(): number {
    const backoff = this.options.backoff;
    if (!backoff) return this.options.intervalMs;
    return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(30, this.failures - 1));
  }

  /** Waits `ms`, or less when nudged or stopping. The timer alone does not keep the process up. */
  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }
}
