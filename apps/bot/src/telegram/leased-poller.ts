import { Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import { Backoff, pause } from './backoff';
import { LongPoller } from './long-poller';
import { PollLease } from './poll-lease';
import {
  callTelegram,
  describeFailure,
  isUnauthorized,
  TokenRefusedError,
} from './telegram-api-errors';
import type { UpdateSource } from './update-source';
import { receivingUpdates } from './telegram.metrics';

/**
 * Polling mode on any number of replicas: the one holding the PollLease polls, the others stand
 * by and try again when the lease would expire.
 *
 * The holder renews every third of the lease and stops polling (aborting its getUpdates) as soon
 * as a renewal fails, finds the lease gone, or is overdue: it treats the lease as its own only
 * until two thirds of the lease after the last renewal it sent, which leaves a third of the lease
 * for the abort to land before a standby can acquire it. So two replicas never poll at once and
 * Telegram never answers 409 because of the platform itself.
 */
export class LeasedPoller implements UpdateSource {
  private readonly logger = new Logger(LeasedPoller.name);
  private readonly stopping = new AbortController();
  private releaseOnStop = true;
  private running?: Promise<void>;
  private webhookDeleted = false;

  constructor(
    private readonly args: {
      telegram: Telegram;
      lease: PollLease;
      poller: LongPoller;
    },
  ) {}

  get description(): string {
    return `polling mode (one replica polls, holding a ${this.args.lease.leaseMs / 1000} s lease in Redis)`;
  }

  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  async stop(options: { releaseLease?: boolean } = {}): Promise<void> {
    this.releaseOnStop = options.releaseLease ?? true;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const { lease } = this.args;
    const stop = this.stopping.signal;
    let standingBy = false;
    let redisDown = false;
    while (!stop.aborted) {
      const sentAt = Date.now();
      let acquired: Awaited<ReturnType<PollLease['acquire']>>;
      try {
        acquired = await lease.acquire();
        redisDown = false;
      } catch (error) {
        if (!redisDown) this.logger.warn({ err: error }, 'Polling lease: Redis did not answer');
        redisDown = true;
        await pause(lease.leaseMs / 3, stop);
        continue;
      }
      if (!acquired.held) {
        if (!standingBy) this.logger.log('Another replica polls Telegram; standing by');
        standingBy = true;
        // Wake just after the holder's lease would run out; a live holder will have renewed it.
        const wait = Math.min(acquired.retryInMs || lease.leaseMs / 3, lease.leaseMs);
        await pause(wait + 20 + Math.random() * 30, stop);
        continue;
      }
      standingBy = false;
      await this.poll(sentAt);
    }
  }

  /** Polls while the lease holds; returns once it is lost or the bot stops. */
  private async poll(acquiredAt: number): Promise<void> {
    const { lease, poller } = this.args;
    const holding = new AbortController();
    const stopHolding = () => holding.abort();
    this.stopping.signal.addEventListener('abort', stopHolding, { once: true });
    const keeper = this.keep(holding, acquiredAt);
    const received = receivingUpdates('polling');
    try {
      this.logger.log('Holding the polling lease: polling Telegram for updates');
      await this.deleteWebhookOnce(holding.signal);
      await poller.run(holding.signal);
    } catch (error) {
      await lease.release().catch(() => undefined);
      throw error;
    } finally {
      received();
      keeper();
      this.stopping.signal.removeEventListener('abort', stopHolding);
    }
    if (this.stopping.signal.aborted && this.releaseOnStop) {
      await lease.release().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'Could not give the polling lease back; it will expire');
      });
    }
  }

  /** Renews the lease every third of it; aborts `holding` when it is lost. Returns the canceller. */
  private keep(holding: AbortController, acquiredAt: number): () => void {
    const { lease } = this.args;
    const lose = (reason: string) => {
      if (holding.signal.aborted) return;
      this.logger.warn({ reason }, 'Lost the polling lease: stopped polling, standing by');
      holding.abort();
    };
    let deadline: NodeJS.Timeout | undefined;
    const armDeadline = (sentAt: number) => {
      clearTimeout(deadline);
      const validFor = sentAt + (lease.leaseMs * 2) / 3 - Date.now();
      deadline = setTimeout(() => lose('renewal overdue'), Math.max(0, validFor));
    };
    armDeadline(acquiredAt);
    let renewing = false;
    const interval = setInterval(() => {
      if (renewing || holding.signal.aborted) return;
      renewing = true;
      const sentAt = Date.now();
      lease
        .renew()
        .then((renewed) => {
          if (renewed) armDeadline(sentAt);
          else lose('the lease expired or another replica holds it');
        })
        .catch((error: unknown) => lose(`Redis did not renew it: ${describeFailure(error)}`))
        .finally(() => {
          renewing = false;
        });
    }, lease.leaseMs / 3);
    return () => {
      clearInterval(interval);
      clearTimeout(deadline);
    };
  }

  /**
   * A webhook left from an earlier webhook-mode deployment makes every getUpdates fail with 409;
   * the first poller of this process removes it (keeping the updates Telegram holds).
   */
  private async deleteWebhookOnce(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff();
    while (!this.webhookDeleted && !signal.aborted) {
      try {
        await callTelegram(
          this.args.telegram,
          'deleteWebhook',
          { drop_pending_updates: false },
          signal,
        );
        this.webhookDeleted = true;
      } catch (error) {
        if (signal.aborted) return;
        if (isUnauthorized(error)) throw new TokenRefusedError('deleteWebhook');
        const delay = backoff.next();
        this.logger.warn(
          { reason: describeFailure(error), retryInMs: delay },
          'deleteWebhook failed; retrying',
        );
        await pause(delay, signal);
      }
    }
  }
}
