import type { LoggerService } from '@nestjs/common';
import { retryDelayMs } from './backoff';
import type {
  BeginResult,
  ClaimedMessage,
  DeliveryStore,
  FinishOutcome,
  FinishResult,
} from './delivery-store';
import { DeliveryMetrics } from './delivery.metrics';
import type { DeliveryOptions, DeliveryOutcome } from './delivery.types';
import type { SendAttempt, TelegramSender } from './telegram-sender';

/** Where a 403 is reported: the users service marks the member unreachable. */
export interface Reachability {
  markUnreachable(chatId: string): Promise<void>;
}

/** Idle poll: how soon a message enqueued by another replica is picked up when all is quiet. */
const IDLE_POLL_MS = 100;
const MIN_POLL_MS = 5;
const RECOVER_EVERY_MS = 1000;
/**
 * Sends are begun on this grid of the local clock: the messages whose slots fall within one tick
 * are begun by one script call (and one Redis round trip) rather than one each.
 */
const BEGIN_TICK_MS = 5;
/** The most keys one begin call takes (a long script would hold Redis up). */
const BEGIN_BATCH = 200;

interface PendingBegin {
  key: string;
  done: (result: BeginResult) => void;
  fail: (error: unknown) => void;
}

/**
 * One bot replica's sending loop over the shared DeliveryStore: claims messages with their send
 * slots, sends each at its slot, records the outcome.
 *
 * A message's path: queued → claimed (this worker, a lease) → sending → sent | blocked | failed,
 * or back to queued (retry, 429). What a crash leaves behind:
 * - claimed, not yet sending: nobody sent it; when the lease runs out any replica requeues it;
 * - sending: the HTTP call may or may not have reached Telegram. The queue does not send it again
 *   (at most once: a member never gets an announcement twice) and records it as `uncertain` in the
 *   dead-letter stream. That window is one HTTP round trip per in-flight message (a few dozen at
 *   most, tens of ms each); no system can close it, because Telegram's sendMessage takes no
 *   idempotency key and cannot be asked afterwards whether a message arrived.
 * A 5xx or a dropped connection while alive is retried: a 5xx means Telegram did not take the
 * message; a connection dropped after Telegram took it is the same rare window as above, and the
 * issue (and Telegram's own advice) is to retry.
 */
export class DeliveryWorker {
  private running = false;
  private killed = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** Every pending wait, so that kill() ends them all at once. */
  private readonly sleepers = new Set<() => void>();
  private wakeUp?: () => void;
  private lastRecover = 0;
  private readonly maxInFlight: number;
  /** Begins asked for in this turn of the event loop: sent as one call at its end. */
  private pendingBegins: PendingBegin[] = [];

  constructor(
    private readonly deps: {
      store: DeliveryStore;
      sender: TelegramSender;
      reachability: Reachability;
      options: DeliveryOptions;
      metrics: DeliveryMetrics;
      logger: LoggerService;
    },
  ) {
    // Half a second of sends at the configured rate: enough to keep the rate with slow answers.
    this.maxInFlight = Math.max(4, Math.min(500, Math.ceil(deps.options.rate / 2)));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** A message was enqueued in this process: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Graceful: no new claims; what was claimed is sent and recorded, within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.running = false;
    this.wake();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.all([...this.inFlight]).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return drained;
  }

  /**
   * As a crash (tests): nothing more is claimed, begun or recorded from this instant. HTTP calls
   * already under way still reach Telegram, as they would from a process killed mid-request.
   */
  kill(): void {
    this.killed = true;
    this.running = false;
    for (const done of [...this.sleepers]) done();
  }

  private async run(): Promise<void> {
    const { store, logger } = this.deps;
    while (this.running) {
      try {
        if (Date.now() - this.lastRecover >= RECOVER_EVERY_MS) await this.recover();
        const free = this.maxInFlight - this.inFlight.size;
        if (free <= 0) {
          await Promise.race(this.inFlight);
          continue;
        }
        const claim = await store.claim(free);
        // Claimed as a stop began: still sent; after a kill, left to the lease like the rest.
        if (this.killed) return;
        const localNow = Date.now();
        for (const message of claim.messages) {
          this.track(this.deliver(message, localNow + (message.slot - claim.now)));
        }
        if (claim.messages.length === 0) {
          await this.idle(Math.min(IDLE_POLL_MS, Math.max(MIN_POLL_MS, claim.waitMs)));
        }
      } catch (error) {
        if (!this.running) return;
        logger.warn?.({ err: error }, 'Delivery queue: Redis call failed; retrying');
        await this.idle(1000);
      }
    }
  }

  private async recover(): Promise<void> {
    this.lastRecover = Date.now();
    for (const m of await this.deps.store.recover()) {
      if (m.outcome === 'uncertain') {
        this.deps.metrics.count(m.kind, 'uncertain');
        this.deps.logger.warn?.(
          { key: m.key, kind: m.kind, chatId: m.chatId },
          'Delivery: a replica stopped while sending this message; not sent again (maybe delivered)',
        );
      } else {
        this.deps.metrics.count(m.kind, 'reclaimed');
        this.deps.logger.log?.(
          { key: m.key, kind: m.kind },
          'Delivery: requeued a message claimed by a stopped replica',
        );
      }
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Waits for the slot (local clock), begins, sends, records. Never throws. */
  private async deliver(message: ClaimedMessage, sendAt: number): Promise<void> {
    const { store, sender, logger } = this.deps;
    try {
      await this.sleepUntil(Math.ceil(sendAt / BEGIN_TICK_MS) * BEGIN_TICK_MS);
      for (;;) {
        if (this.killed) return;
        const begun = await this.begin(message.key);
        if (begun.kind === 'go') break;
        if (begun.kind !== 'wait') return; // requeued by a 429 pause, or no longer ours
        await this.sleep(begun.ms);
      }
      const attempt = await sender.send(message);
      const answeredAt = Date.now();
      if (this.killed) return;
      const result = await store.finish(message.key, this.outcomeOf(message, attempt), answeredAt);
      this.report(message, attempt, result);
    } catch (error) {
      // Redis failed mid-way: the lease brings the message back (or records it as uncertain).
      if (!this.killed)
        logger.error?.({ err: error, key: message.key }, 'Delivery: could not record a send');
    }
  }

  /** Joins the begins asked for in one turn of the event loop into one store call. */
  private begin(key: string): Promise<BeginResult> {
    return new Promise((done, fail) => {
      if (this.pendingBegins.length === 0) setImmediate(() => this.flushBegins());
      this.pendingBegins.push({ key, done, fail });
    });
  }

  private flushBegins(): void {
    const pending = this.pendingBegins;
    this.pendingBegins = [];
    for (let i = 0; i < pending.length; i += BEGIN_BATCH) {
      const batch = pending.slice(i, i + BEGIN_BATCH);
      this.deps.store.begin(batch.map((p) => p.key)).then(
        (results) => batch.forEach((p, j) => p.done(results[j])),
        (error: unknown) => batch.forEach((p) => p.fail(error)),
      );
    }
  }

  private outcomeOf(message: ClaimedMessage, attempt: SendAttempt): FinishOutcome {
    if (attempt.kind !== 'retry') return attempt;
    const { retryBaseMs, retryMaxMs } = this.deps.options;
    return {
      ...attempt,
      delayMs: retryDelayMs({
        attempt: message.attempts + 1,
        baseMs: retryBaseMs,
        maxMs: retryMaxMs,
      }),
    };
  }

  private report(message: ClaimedMessage, attempt: SendAttempt, result: FinishResult): void {
    const { metrics, logger, reachability } = this.deps;
    const context = { key: message.key, kind: message.kind, chatId: message.chatId };
    const outcome: Record<FinishResult, DeliveryOutcome | undefined> = {
      sent: 'sent',
      blocked: 'blocked',
      failed: 'failed',
      retry: 'retried',
      limited: 'rate_limited',
      paused: 'rate_limited',
      lost: undefined,
    };
    const counted = outcome[result];
    if (counted) metrics.count(message.kind, counted);
    const reason = attempt.kind === 'sent' ? undefined : attempt.reason;
    switch (result) {
      case 'failed':
        logger.warn?.({ ...context, reason }, 'Delivery: message dead-lettered');
        break;
      case 'paused':
        logger.warn?.(
          { ...context, reason },
          'Delivery: Telegram rate-limits the bot as a whole; every send waits',
        );
        break;
      case 'blocked':
        logger.log?.({ ...context, reason }, 'Delivery: the member blocked the bot');
        reachability.markUnreachable(message.chatId).catch((error: unknown) => {
          logger.warn?.({ ...context, err: error }, 'Delivery: could not mark a chat unreachable');
        });
        break;
      case 'lost':
        logger.warn?.(context, 'Delivery: a send finished after its lease ran out');
        break;
      default:
        break;
    }
  }

  private sleepUntil(at: number): Promise<void> {
    return this.sleep(at - Date.now());
  }

  /** The loop's wait for work: ended early by wake(), stop() and kill(). */
  private idle(ms: number): Promise<void> {
    return this.sleep(ms, true);
  }

  private sleep(ms: number, wakeable = false): Promise<void> {
    if (ms <= 0 || this.killed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
      if (wakeable) this.wakeUp = done;
    });
  }
}
