import { RecordedFile } from './request-params';

/** One Bot API call the bot made, as the fake received and answered it. */
export interface RecordedCall {
  /** 1-based position in `fake.calls`. */
  seq: number;
  method: string;
  params: Record<string, unknown>;
  files: RecordedFile[];
  /** What the fake answered (`result` of `{ok: true, result}`), when it succeeded. */
  result?: unknown;
  /** Telegram's error description, when the fake refused the call. */
  error?: string;
  at: Date;
}

export interface WaitForCallOptions {
  timeoutMs?: number;
  /**
   * Only calls with `seq > since` match. Defaults to the calls made after the latest simulated
   * user action (`sendText`/`pressButton`), so a wait finds the bot's answer to that action and
   * not an older one. Pass 0 to search every call (e.g. `setMyCommands` at start).
   */
  since?: number;
}

export type CallPredicate = (call: RecordedCall) => boolean;

interface CallWaiter {
  method: string;
  predicate: CallPredicate;
  since: number;
  resolve: (call: RecordedCall) => void;
}

/** Every call the bot made, in order, and the tests waiting for one. */
export class CallLog {
  readonly calls: RecordedCall[] = [];
  private readonly waiters = new Set<CallWaiter>();
  /** The seq of the latest call when a simulated user last acted: the default `since`. */
  private actionCursor = 0;

  record(call: RecordedCall): void {
    call.seq = this.calls.length + 1;
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      if (call.seq > waiter.since && call.method === waiter.method && waiter.predicate(call)) {
        waiter.resolve(call);
      }
    }
  }

  /** The seq of the latest recorded call. */
  mark(): number {
    return this.calls.length;
  }

  /** A simulated user acted: waits now look at the calls made from here on. */
  markAction(): void {
    this.actionCursor = this.calls.length;
  }

  waitFor(
    method: string,
    predicate: CallPredicate,
    options: number | WaitForCallOptions,
  ): Promise<RecordedCall> {
    const { timeoutMs = 5000, since = this.actionCursor } =
      typeof options === 'number' ? { timeoutMs: options } : options;
    const found = this.calls.find(
      (call) => call.seq > since && call.method === method && predicate(call),
    );
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: CallWaiter = {
        method,
        predicate,
        since,
        resolve: (call) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.calls
          .filter((call) => call.seq > since && call.method === method)
          .map((call) => JSON.stringify({ params: call.params, error: call.error }))
          .slice(-5);
        reject(
          new Error(
            `No matching ${method} call within ${timeoutMs} ms; ${method} calls seen: ${seen.length ? seen.join('\n') : 'none'}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
