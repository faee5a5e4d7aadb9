/**
 * Shares one in-flight computation among the callers that ask while it runs. A listing's `total`
 * is a count over the partial index that costs milliseconds at 100k events and ~80 ms at 1M; under
 * load, every request arriving while a count runs takes that count's answer instead of starting
 * its own. An answer is never older than the query that produced it, and `invalidate()` (after a
 * change made by this replica) makes later callers start a fresh count.
 */
export class SingleFlight<T> {
  private inFlight?: { generation: number; promise: Promise<T> };
  private generation = 0;

  run(compute: () => Promise<T>): Promise<T> {
    if (this.inFlight && this.inFlight.generation === this.generation) return this.inFlight.promise;
    const promise = compute().finally(() => {
      if (this.inFlight?.promise === promise) this.inFlight = undefined;
    });
    this.inFlight = { generation: this.generation, promise };
    return promise;
  }

  invalidate(): void {
    this.generation += 1;
  }
}
