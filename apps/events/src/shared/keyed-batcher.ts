/**
 * Groups the work that arrives together for one key (an event) into one run: while a run for the
 * key is in progress, new items queue; when it ends, the next run takes every queued item (up to
 * `maxBatch`). A lone item runs at once, alone, so a quiet service adds no delay; under a rush,
 * the work of many callers shares one transaction and one commit, holding the key's lock once
 * (group commit). Runs of different keys go on side by side.
 *
 * `run` answers one outcome per item, in order: a value, or an Error for that item alone. A run
 * that throws fails each of its items with that error.
 */
export class KeyedBatcher<K, I, O> {
  private readonly queues = new Map<K, { item: I; settle: Settle<O> }[]>();
  private readonly running = new Set<K>();

  constructor(
    private readonly options: {
      maxBatch: number;
      run: (key: K, items: I[]) => Promise<(O | Error)[]>;
    },
  ) {}

  submit(key: K, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const queue = this.queues.get(key);
      const entry = { item, settle: { resolve, reject } };
      if (queue) queue.push(entry);
      else this.queues.set(key, [entry]);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: K): Promise<void> {
    this.running.add(key);
    try {
      for (;;) {
        const queue = this.queues.get(key);
        if (!queue || queue.length === 0) {
          this.queues.delete(key);
          return;
        }
        const batch = queue.splice(0, this.options.maxBatch);
        let outcomes: (O | Error)[];
        try {
          outcomes = await this.options.run(
            key,
            batch.map((entry) => entry.item),
          );
        } catch (error) {
          outcomes = batch.map(() => (error instanceof Error ? error : new Error(String(error))));
        }
        batch.forEach((entry, i) => {
          const outcome = outcomes[i];
          if (outcome instanceof Error) entry.settle.reject(outcome);
          else if (outcome === undefined && outcomes.length <= i)
            entry.settle.reject(new Error('batch run answered fewer outcomes than items'));
          else entry.settle.resolve(outcome);
        });
      }
    } finally {
      this.running.delete(key);
    }
  }
}

interface Settle<O> {
  resolve: (value: O) => void;
  reject: (error: Error) => void;
}
