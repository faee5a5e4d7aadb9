/**
 * The entries this replica has taken and not yet finished (queued or running), per stream. The
 * heartbeat keeps them alive; the reclaimer must never hand them out a second time.
 */
export class InFlightEntries {
  private readonly byStream = new Map<string, Set<string>>();

  add(stream: string, id: string): boolean {
    let ids = this.byStream.get(stream);
    if (!ids) {
      ids = new Set();
      this.byStream.set(stream, ids);
    }
    if (ids.has(id)) return false;
    ids.add(id);
    return true;
  }

  delete(stream: string, id: string): void {
    this.byStream.get(stream)?.delete(id);
  }

  has(stream: string, id: string): boolean {
    return this.byStream.get(stream)?.has(id) ?? false;
  }

  get size(): number {
    let size = 0;
    for (const ids of this.byStream.values()) size += ids.size;
    return size;
  }

  entries(): Array<[stream: string, ids: string[]]> {
    return [...this.byStream]
      .filter(([, ids]) => ids.size > 0)
      .map(([stream, ids]) => [stream, [...ids]]);
  }
}
