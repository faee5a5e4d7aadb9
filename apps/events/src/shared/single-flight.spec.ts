import { SingleFlight } from './single-flight';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe(SingleFlight.name, () => {
  it('gives callers that arrive while a computation runs its answer', async () => {
    const sut = new SingleFlight<number>();
    const first = deferred<number>();
    const compute = jest.fn(() => first.promise);

    const answers = Promise.all([sut.run(compute), sut.run(compute), sut.run(compute)]);
    first.resolve(7);

    await expect(answers).resolves.toEqual([7, 7, 7]);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('starts a new computation once the previous one finished', async () => {
    const sut = new SingleFlight<number>();
    let n = 0;
    await sut.run(async () => ++n);
    await expect(sut.run(async () => ++n)).resolves.toBe(2);
  });

  it('does not hand a computation started before invalidate() to later callers', async () => {
    const sut = new SingleFlight<number>();
    const stale = deferred<number>();
    const before = sut.run(() => stale.promise);
    sut.invalidate();
    const after = sut.run(async () => 2);
    stale.resolve(1);
    await expect(Promise.all([before, after])).resolves.toEqual([1, 2]);
  });

  it('passes failures to every waiting caller and forgets them', async () => {
    const sut = new SingleFlight<number>();
    const failing = deferred<number>();
    const a = sut.run(() => failing.promise.then(() => Promise.reject(new Error('down'))));
    const b = sut.run(async () => 5);
    failing.resolve(0);
    await expect(a).rejects.toThrow('down');
    await expect(b).rejects.toThrow('down');
    await expect(sut.run(async () => 5)).resolves.toBe(5);
  });
});
