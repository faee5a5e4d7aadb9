import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { BackgroundLoop, LoopRound } from '@up/health';
import { UsersConfig } from '../config/users.config';
import { DueMail, MailBacklog, MailOutboxRepository } from './mail-outbox.repository';
import { MailTransport } from './mail-transport';
import { countMail } from './mail.metrics';

/** Mails taken per round; each is one SMTP exchange. */
const BATCH_SIZE = 10;
/** Longer than one SMTP exchange can take (MailTransport's timeouts), so a lease never lapses mid-send. */
const LEASE_MS = 2 * 60_000;

/** The delay before attempt `attempts + 1`: MAIL_RETRY_MIN_MS doubling up to MAIL_RETRY_MAX_MS. */
export function retryDelayMs(attempts: number, config: { min: number; max: number }): number {
  return Math.min(config.max, config.min * 2 ** Math.min(30, Math.max(0, attempts - 1)));
}

/**
 * Sends queued mail on every replica: due rows are leased (`FOR UPDATE SKIP LOCKED`, so replicas
 * share them), sent, and deleted; a failure puts the row back with exponential backoff, for as long
 * as it takes (a mail is never given up on: the link in it is what the member waits for). It runs
 * right after a local commit (nudge) and otherwise every MAIL_POLL_INTERVAL_MS.
 *
 * Hand-written rather than a job queue: the rows must be written in the users service's own
 * PostgreSQL transaction, which no Redis-backed queue can join.
 */
@Injectable()
export class MailSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailSender.name);
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly rows: MailOutboxRepository,
    private readonly transport: MailTransport,
    private readonly config: UsersConfig,
  ) {
    // No backoff of its own: a failed round (the database is away, the mail waits in it) waits
    // one poll interval like an idle one.
    this.loop = new BackgroundLoop({
      name: 'mail sender',
      logger: this.logger,
      intervalMs: config.MAIL_POLL_INTERVAL_MS,
      step: () => this.sendRound(),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  nudge(): void {
    this.loop.nudge();
  }

  /** For operators (and tests): what waits, and what is failing. */
  backlog(): Promise<MailBacklog> {
    return this.rows.backlog();
  }

  /** Sends one batch of due mail; answers how many were taken. */
  async sendDue(): Promise<number> {
    const due = await this.rows.claimDue({ limit: BATCH_SIZE, leaseMs: LEASE_MS });
    for (const mail of due) await this.sendOne(mail);
    return due.length;
  }

  private async sendOne(mail: DueMail): Promise<void> {
    try {
      await this.transport.send(mail);
    } catch (error) {
      countMail(mail.kind, 'failed');
      const delayMs = retryDelayMs(mail.attempts, {
        min: this.config.MAIL_RETRY_MIN_MS,
        max: this.config.MAIL_RETRY_MAX_MS,
      });
      await this.rows.scheduleRetry({ id: mail.id, delayMs, error: (error as Error).message });
      // The mail's id and kind only: its body carries a one-time link.
      this.logger.warn(
        {
          mailId: mail.id,
          kind: mail.kind,
          attempt: mail.attempts,
          retryInMs: delayMs,
          err: error,
        },
        'mail not sent; retrying with backoff',
      );
      return;
    }
    countMail(mail.kind, 'sent');
    await this.rows.remove(mail.id);
    if (mail.attempts > 1) {
      this.logger.log(
        { mailId: mail.id, kind: mail.kind, attempt: mail.attempts },
        'mail sent after retries',
      );
    }
  }

  /** A full batch means more may be due: the next round runs without the poll wait. */
  private async sendRound(): Promise<LoopRound> {
    return (await this.sendDue()) < BATCH_SIZE ? 'idle' : 'more';
  }
}
