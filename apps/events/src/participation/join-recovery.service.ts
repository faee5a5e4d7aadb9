import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { isBusRemoteError } from '@up/bus';
import { TransactionRunner } from '@up/database';
import { EventsConfig } from '../config/events.config';
import { MembersClient } from '../members/members.client';
import { joinDebitKey, joinRefundKey, ledgerReason } from './coin-keys';
import { ParticipationService } from './participation.service';
import { Confirmation, Seat, SeatsRepository } from './seats.repository';

export interface SweepReport {
  confirmed: number;
  released: number;
  refunded: number;
  /** Still unknown (users did not answer): tried again on the next sweep. */
  deferred: number;
}

const BATCH = 100;

type PendingOutcome = 'confirmed' | 'released' | 'deferred' | null;

/** A settled pending attempt; a confirmed one carries what the steps after its join need. */
interface SettledPending {
  outcome: PendingOutcome;
  confirmed?: { seat: Seat; confirmation: Confirmation };
}

/**
 * Settles what a crash or a timeout left half-done, on every replica, without coordination:
 * - joins still `pending` after the grace period: the debit is sent again with the attempt's key
 *   (the users service applies a key once, so this charges at most once: it either applies the
 *   debit that never arrived or answers the one that did), then the seat is confirmed; if users
 *   refuses (not enough coins any more), the seat is given back;
 * - refunds still `due`: the credit is sent again with the attempt's refund key.
 * Each attempt is locked with FOR UPDATE SKIP LOCKED while it is settled, so two replicas never
 * settle the same one, and a join still finishing in its request waits for the sweep's answer.
 * The grace period (JOIN_RECOVERY_GRACE_MS, well above the bus timeout) keeps the sweep away
 * from joins that are merely in progress; correctness does not depend on it.
 */
@Injectable()
export class JoinRecoveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JoinRecoveryService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly seats: SeatsRepository,
    private readonly members: MembersClient,
    private readonly participation: ParticipationService,
    private readonly config: EventsConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.JOIN_RECOVERY_INTERVAL_MS;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((error: unknown) => this.logger.error({ err: error }, 'join recovery sweep failed'))
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(graceMs: number = this.config.JOIN_RECOVERY_GRACE_MS): Promise<SweepReport> {
    const report: SweepReport = { confirmed: 0, released: 0, refunded: 0, deferred: 0 };
    for (const seatId of await this.seats.staleIds({ kind: 'pending', graceMs, limit: BATCH })) {
      const outcome = await this.settlePending(seatId);
      if (outcome) report[outcome] += 1;
    }
    for (const seatId of await this.seats.staleIds({ kind: 'refund', graceMs, limit: BATCH })) {
      const outcome = await this.settleRefund(seatId);
      if (outcome) report[outcome] += 1;
    }
    if (report.confirmed + report.released + report.refunded + report.deferred > 0) {
      this.logger.log({ ...report }, 'join recovery sweep settled attempts');
    }
    return report;
  }

  private async settlePending(seatId: string): Promise<PendingOutcome> {
    const settled = await this.transactions.run<SettledPending>(async ({ manager }) => {
      const seat = await this.seats.lockForSettlement(manager, { seatId, kind: 'pending' });
      if (!seat) return { outcome: null };
      try {
        if (seat.price > 0) {
          await this.members.debit({
            memberId: seat.memberId,
            amount: seat.price,
            idempotencyKey: joinDebitKey(seat),
            reason: ledgerReason('Event', seat.title),
          });
        }
      } catch (error) {
        if (isBusRemoteError(error) && error.status < 500) {
          await this.seats.release(seat.id, manager);
          this.logger.warn(
            { seatId, code: error.code },
            'stale join refused by users; seat released',
          );
          return { outcome: 'released' };
        }
        this.logger.warn({ err: error, seatId }, 'stale join still in doubt; retried next sweep');
        return { outcome: 'deferred' };
      }
      const confirmation = await this.seats.confirm(seat.id, manager);
      if (!confirmation) return { outcome: null };
      return { outcome: 'confirmed', confirmed: { seat, confirmation } };
    });
    if (settled.confirmed) {
      await this.participation.afterJoin(settled.confirmed.seat, settled.confirmed.confirmation);
    }
    return settled.outcome;
  }

  private async settleRefund(seatId: string): Promise<'refunded' | 'deferred' | null> {
    return this.transactions.run(async ({ manager }) => {
      const seat = await this.seats.lockForSettlement(manager, { seatId, kind: 'refund' });
      if (!seat) return null;
      try {
        await this.members.credit({
          memberId: seat.memberId,
          amount: seat.price,
          idempotencyKey: joinRefundKey(seat),
          reason: ledgerReason('Refund', seat.title),
        });
      } catch (error) {
        this.logger.warn({ err: error, seatId }, 'refund still not confirmed; retried next sweep');
        return 'deferred' as const;
      }
      await this.seats.markRefunded(seat.id, manager);
      return 'refunded' as const;
    });
  }
}
