import { PeriodicSweep, PeriodicSweepOptions } from './periodic-sweep';

const INTERVAL_MS = 1000;

class TestSweep extends PeriodicSweep {
  readonly round = jest.fn(() => Promise.resolve(1));

  constructor(stopOn: PeriodicSweepOptions['stopOn']) {
    super({ name: 'test sweep', intervalMs: INTERVAL_MS, stopOn });
  }
}

describe(PeriodicSweep.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs its first round one interval after bootstrap, not before', async () => {
    const sut = new TestSweep('module-destroy');
    sut.onApplicationBootstrap();

    await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(sut.round).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(sut.round).toHaveBeenCalledTimes(1);
    await sut.onModuleDestroy();
  });

  it.each([
    ['module-destroy', 'onModuleDestroy', 'onApplicationShutdown'],
    ['application-shutdown', 'onApplicationShutdown', 'onModuleDestroy'],
  ] as const)('with stopOn %s, stops in %s only', async (stopOn, stopping, other) => {
    const sut = new TestSweep(stopOn);
    sut.onApplicationBootstrap();

    await sut[other]();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(sut.round).toHaveBeenCalledTimes(1);

    await sut[stopping]();
    await jest.advanceTimersByTimeAsync(INTERVAL_MS * 5);
    expect(sut.round).toHaveBeenCalledTimes(1);
  });
});
