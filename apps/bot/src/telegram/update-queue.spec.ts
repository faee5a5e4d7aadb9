import { UpdateQueue } from './update-queue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe(UpdateQueue.name, () => {
  it('runs one chat’s updates in order and other chats meanwhile', async () => {
    const sut = new UpdateQueue();
    const log: string[] = [];
    const slow = deferred();
    sut.push('a', async () => {
      await slow.promise;
      log.push('a1');
    });
    sut.push('a', async () => {
      log.push('a2');
    });
    sut.push('b', async () => {
      log.push('b1');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['b1']);
    slow.resolve();
    expect(await sut.drain(1000)).toBe(true);
    expect(log).toEqual(['b1', 'a1', 'a2']);
    expect(sut.size).toBe(0);
  });

  it('keeps going after a failed update', async () => {
    const sut = new UpdateQueue();
    const log: string[] = [];
    sut.push('a', async () => {
      throw new Error('boom');
    });
    sut.push('a', async () => {
      log.push('after');
    });
    await sut.drain(1000);
    expect(log).toEqual(['after']);
  });

  it('gives up draining after the timeout', async () => {
    const sut = new UpdateQueue();
    sut.push('a', () => new Promise(() => undefined));
    expect(await sut.drain(20)).toBe(false);
  });
});
