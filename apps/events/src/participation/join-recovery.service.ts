import { Injectable } from '@nestjs/common';
import { PeriodicSweep } from '@up/health';
import { EventsConfig } from '../config/events.config';
import { MembersClient } from '../members/members.client';
import { refundOf } from './coin-keys';
import { SeatSettlement } from './seat-settlement.service';
import { SeatsRepository } from './seats.repository';

export interface SweepReport {
  confirmed: number;
  released: number;
  refunded: number;
  /** Still unknown (users did not answer): tried again on the next sweep. */
  deferred: number;
}

const BATCH = 100;

type PendingOutcome = 'confirmed' | 'released' | 'deferred' | null;

/**
 * Settles what a crash or a timeout left half-done, on every replica, without coordination:
 * - seats still `pending` after the grace period (joins and waitlist promotions): the debit is
 *   sent again with the attempt's key (the users service applies a key once, so this charges at
 *   most once: it either applies the debit that never arrived or answers the one that did), then
 *   the seat is confirmed (or, for a cancelled event, refunded); if users refuses (not enough
 *   coins any more), the seat is given back, to the next in the waitlist if anyone waits;
 * - refunds still `due`: the credit is sent again with the attempt's refund key.
 * An attempt is claimed by moving its `updated_at` forward (a lease as long as the grace period),
 * so replicas do not settle the same one twice in the normal case; no row lock is held while
 * users is asked, and every step after it is conditional (`pending` → ..., `due` → `done`) and
 * keyed, so two settlers of one attempt still charge and refund once. The grace period
 * (JOIN_RECOVERY_GRACE_MS, well above the bus timeout) keeps the sweep away from joins that are
 * merely in progress; correctness does not depend on it.
 */
@Injectable()
export class JoinRecoveryService extends PeriodicSweep {
  constructor(
    private readonly seats: SeatsRepository,
    private readonly members: MembersClient,
    private readonly settlement: SeatSettlement,
    private readonly config: EventsConfig,
  ) {
    super({
      name: 'join recovery sweep',
      intervalMs: config.JOIN_RECOVERY_INTERVAL_MS,
      stopOn: 'application-shutdown',
    });
  }

  protected round(): Promise<SweepReport> {
    return this.sweep();
  }

  async sweep(graceMs: number = this.config.JOIN_RECOVERY_GRACE_MS): Promise<SweepReport> {
    const report: SweepReport = { confirmed: 0, released: 0, refunded: 0, deferred: 0 };
    for (const seatId of await this.seats.staleIds({ kind: 'pending', graceMs, limit: BATCH })) {
      const outcome = await this.settlePending(seatId, graceMs);
      if (outcome) report[outcome] += 1;
    }
    for (const seatId of await this.seats.staleIds({ kind: 'refund', graceMs, limit: BATCH })) {
      const outcome = await this.settleRefund(seatId, graceMs);
      if (outcome) report[outcome] += 1;
    }
    if (report.confirmed + report.released + report.refunded + report.deferred > 0) {
      this.logger.log({ ...report }, 'join recovery sweep settled attempts');
    }
    return report;
  }

  private async settlePending(seatId: string, graceMs: number): Promise<PendingOutcome> {
    const seat = await this.seats.claimForSettlement({ seatId, kind: 'pending', graceMs });
    if (!seat) return null;
    const payment = await this.settlement.pay(seat, { balance: false });
    if (payment.kind === 'unknown') {
      this.logger.warn(
        { err: payment.error, seatId },
        'stale join still in doubt; retried next sweep',
      );
      return 'deferred';
    }
    if (payment.kind === 'refused') {
      const released = await this.settlement.giveBack(seat, payment.error);
      if (released) {
        this.logger.warn(
          { seatId, code: payment.error.code },
          'stale join refused by users; seat released',
        );
      }
      return released ? 'released' : null;
    }
    const settled = await this.settlement.confirmPaid(seat);
    if (settled.kind === 'joined') return settled.byUs ? 'confirmed' : null;
    return 'released';
  }

  private async settleRefund(
    seatId: string,
    graceMs: number,
  ): Promise<'refunded' | 'deferred' | null> {
    const seat = await this.seats.claimForSettlement({ seatId, kind: 'refund', graceMs });
    if (!seat) return null;
    const { key, reason } = refundOf(seat);
    try {
      await this.members.credit({
        memberId: seat.memberId,
        amount: seat.price,
        idempotencyKey: key,
        reason,
      });
    } catch (error) {
      this.logger.warn({ err: error, seatId }, 'refund still not confirmed; retried next sweep');
      return 'deferred';
    }
    await this.seats.markRefunded(seat.id);
    return 'refunded';
  }
}
