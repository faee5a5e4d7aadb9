/**
 * Runs update handlers off Telegraf's polling loop: one chat's updates in order, different chats at
 * once. Telegraf awaits every update of a batch before it polls again, so a handler waiting on a
 * slow service (up to the bus timeout) would otherwise hold up every other member's messages.
 * `drain()` lets shutdown finish the work in flight.
 */
export class UpdateQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  /** Queues `work` behind the chat's earlier updates; never rejects (work handles its own errors). */
  push(chatKey: string, work: () => Promise<void>): void {
    const previous = this.tails.get(chatKey) ?? Promise.resolve();
    const run = previous.then(work).catch(() => undefined);
    this.tails.set(chatKey, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.tails.get(chatKey) === run) this.tails.delete(chatKey);
    });
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** Resolves when everything queued so far has run, or after `timeoutMs`; true if it all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = (async () => {
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
      return true;
    })();
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
