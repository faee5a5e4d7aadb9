import { Logger } from '@nestjs/common';
import { BackgroundLoop, BackgroundLoopOptions, LoopRound } from './background-loop';

const INTERVAL_MS = 1000;

/** A round's result, settled by the test when it chooses. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function newTestLoop(options: Partial<BackgroundLoopOptions> & { rounds?: LoopRoundScript }) {
  const logger = new Logger('test');
  const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  const log = jest.spyOn(logger, 'log').mockImplementation(() => undefined);
  const rounds = options.rounds ?? (() => Promise.resolve('idle' as const));
  /** When each round started (fake time, ms since the loop was made). */
  const startedAt: number[] = [];
  const t0 = Date.now();
  const step = jest.fn(() => {
    startedAt.push(Date.now() - t0);
    return rounds(startedAt.length);
  });
  const sut = new BackgroundLoop({
    name: 'test loop',
    logger,
    intervalMs: INTERVAL_MS,
    step,
    ...options,
  });
  return { sut, step, startedAt, warn, log };
}

/** Answers round `n` (from 1). */
type LoopRoundScript = (n: number) => Promise<LoopRound | void>;

describe(BackgroundLoop.name, () => {
  let stopAll: (() => Promise<void>)[] = [];

  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(async () => {
    await Promise.all(stopAll.map((stop) => stop()));
    stopAll = [];
    jest.useRealTimers();
  });

  function started(loop: ReturnType<typeof newTestLoop>): ReturnType<typeof newTestLoop> {
    loop.sut.start();
    stopAll.push(() => loop.sut.stop());
    return loop;
  }

  it('runs a round at start, then one per interval', async () => {
    const { startedAt } = started(newTestLoop({}));
    await jest.advanceTimersByTimeAsync(3 * INTERVAL_MS + 10);
    expect(startedAt).toEqual([0, 1000, 2000, 3000]);
  });

  it('waits one interval before the first round when asked to', async () => {
    const { startedAt } = started(newTestLoop({ firstRound: 'after-interval' }));
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(startedAt).toEqual([]);
    await jest.advanceTimersByTimeAsync(INTERVAL_MS + 1);
    expect(startedAt).toEqual([1000, 2000]);
  });

  it('never starts when the interval is 0', async () => {
    const { step } = started(newTestLoop({ intervalMs: 0 }));
    await jest.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(step).not.toHaveBeenCalled();
  });

  it('runs the next round at once while rounds answer more', async () => {
    const { startedAt } = started(
      newTestLoop({ rounds: (n) => Promise.resolve(n <= 3 ? 'more' : 'idle') }),
    );
    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(startedAt).toEqual([0, 0, 0, 0]);
  });

  it('ends the wait when nudged', async () => {
    const { sut, startedAt } = started(newTestLoop({}));
    await jest.advanceTimersByTimeAsync(300);
    sut.nudge();
    await jest.advanceTimersByTimeAsync(0);
    expect(startedAt).toEqual([0, 300]);
    // The wait starts again from the nudged round.
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(startedAt).toEqual([0, 300, 1300]);
  });

  it('runs another round without waiting when nudged during a round', async () => {
    const first = deferred();
    const { sut, startedAt } = started(
      newTestLoop({ rounds: (n) => (n === 1 ? first.promise : Promise.resolve()) }),
    );
    await jest.advanceTimersByTimeAsync(100);
    sut.nudge();
    first.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(startedAt).toEqual([0, 100]);
  });

  it('backs off exponentially up to the cap while rounds fail, then keeps the interval', async () => {
    const { startedAt } = started(
      newTestLoop({
        backoff: { initialMs: 100, maxMs: 500 },
        rounds: (n) => (n <= 5 ? Promise.reject(new Error('down')) : Promise.resolve()),
      }),
    );
    await jest.advanceTimersByTimeAsync(1300 + 2 * INTERVAL_MS);
    // Failures at 0, 100, 300, 700 and 1200 (100, 200, 400, then capped at 500).
    expect(startedAt).toEqual([0, 100, 300, 700, 1200, 1700, 2700]);
  });

  it('waits one interval after a failure when it has no backoff', async () => {
    const { startedAt } = started(
      newTestLoop({
        rounds: (n) => (n <= 2 ? Promise.reject(new Error('down')) : Promise.resolve()),
      }),
    );
    await jest.advanceTimersByTimeAsync(3 * INTERVAL_MS);
    expect(startedAt).toEqual([0, 1000, 2000, 3000]);
  });

  it('logs one line when an outage begins and one when it ends', async () => {
    const down = new Error('down');
    const { warn, log } = started(
      newTestLoop({
        backoff: { initialMs: 10, maxMs: 10 },
        // Rounds 1-5 fail, 6 succeeds with more to do, 7-8 fail, then the rest succeed.
        rounds: (n) => {
          if (n <= 5 || n === 7 || n === 8) return Promise.reject(down);
          return Promise.resolve(n === 6 ? 'more' : 'idle');
        },
      }),
    );
    await jest.advanceTimersByTimeAsync(45);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ err: down }, 'test loop failed; retrying');
    expect(log).not.toHaveBeenCalled();

    await jest.advanceTimersByTimeAsync(100);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(log.mock.calls).toEqual([
      [{ failures: 5 }, 'test loop working again'],
      [{ failures: 2 }, 'test loop working again'],
    ]);
  });

  it('on stop, lets the round in progress finish and runs no other', async () => {
    const round = deferred();
    const { sut, step } = newTestLoop({ rounds: () => round.promise.then(() => 'more' as const) });
    sut.start();
    let stopped = false;
    const stopping = sut.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(stopped).toBe(false);

    round.resolve();
    await stopping;
    expect(stopped).toBe(true);
    expect(step).toHaveBeenCalledTimes(1);
  });

  it('on stop, ends the wait at once', async () => {
    const { sut, step } = newTestLoop({});
    sut.start();
    await jest.advanceTimersByTimeAsync(10);
    // No timer advance: the wait is cut short.
    await sut.stop();
    expect(step).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(step).toHaveBeenCalledTimes(1);
  });

  it('starts again after a stop', async () => {
    const { sut, step } = started(newTestLoop({}));
    await jest.advanceTimersByTimeAsync(10);
    await sut.stop();
    sut.start();
    await jest.advanceTimersByTimeAsync(10);
    expect(step).toHaveBeenCalledTimes(2);
  });
});
