import { Injectable, Logger } from '@nestjs/common';
import { isBusRemoteError } from '@up/bus';
import {
  CoinChangeOutcome,
  DomainError,
  ErrorCode,
  EVENT_EVENTS,
  isErrorCode,
  MAX_DEBIT_BATCH,
} from '@up/contracts';
import { Outbox, OutboxEvent, outboxEvent, TransactionRunner, Tx } from '@up/database';
import { spotsLeft } from '../events/event-view';
import { CoinChange, MembersClient } from '../members/members.client';
import { joinDebitKey, ledgerReason, refundOf } from './coin-keys';
import { countWaitlistPromotion } from './participation.metrics';
import { Confirmation, LeftSeat, Seat, SeatsRepository } from './seats.repository';
import { WaitlistRepository } from './waitlist.repository';
import { KeyedBatcher } from '../shared/keyed-batcher';

/** What the debit of a seat came to. */
export type Payment =
  | { kind: 'paid'; balance: number | null }
  /** Users refused (INSUFFICIENT_COINS, MEMBER_INACTIVE, ...): nothing was charged. */
  | { kind: 'refused'; error: DomainError }
  /** Users did not answer, or failed: the recovery sweep settles the seat later. */
  | { kind: 'unknown'; error: unknown };

/** How a paid seat ended. */
export type Settled =
  | { kind: 'joined'; joinedAt: Date; byUs: boolean }
  /** The event was cancelled while the seat was paid for: refunded. */
  | { kind: 'cancelled' }
  /** The sweep gave the seat back meanwhile: refunded. */
  | { kind: 'lost' };

/** The users service's refusal, passed on with its code (402, 404, ...). */
function asDomainError(error: unknown): DomainError {
  if (isBusRemoteError(error) && isErrorCode(error.code)) {
    return new DomainError(error.code, error.message, error.details);
  }
  return new DomainError(ErrorCode.CONFLICT, (error as Error).message);
}

/**
 * The steps every seat goes through once it is held `pending`, whoever holds it (a join, a
 * promotion from the waitlist, the recovery sweep): pay (a debit with the attempt's key), then
 * confirm or give it back. Each step after the debit is one transaction that locks the event's
 * row first and writes its bus events to the outbox: a confirmation with the `state` lock (it
 * only needs the event not to be cancelled under it), a seat given back with the `seats` lock
 * (see EventLock). A seat given back goes to the first member in the waitlist in the same
 * transaction (`offerFreedSeats`), so nobody jumps the line, and that promotion is paid for and
 * settled here too.
 */
@Injectable()
export class SeatSettlement {
  private readonly logger = new Logger(SeatSettlement.name);
  private readonly payments = new KeyedBatcher<string, Seat, Payment>({
    maxBatch: MAX_DEBIT_BATCH,
    run: (_eventId, seats) => this.payGroup(seats),
  });
  private readonly confirmations = new KeyedBatcher<string, Seat, Settled>({
    maxBatch: 200,
    run: (eventId, seats) => this.confirmGroup(eventId, seats),
  });

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly seats: SeatsRepository,
    private readonly waitlist: WaitlistRepository,
    private readonly members: MembersClient,
    private readonly outbox: Outbox,
  ) {}

  /**
   * The debit, with the attempt's idempotency key; a free seat asks for the balance only. The
   * debits of one event's seats that arrive together go to users in one call (`payGroup`).
   */
  pay(seat: Seat, options: { balance: boolean } = { balance: true }): Promise<Payment> {
    if (seat.price === 0) return this.payOne(seat, options);
    return this.payments.submit(seat.eventId, seat);
  }

  /**
   * The debits of several seats in one `users.debit_coins_many` call: each seat's outcome as its
   * own debit would have been (paid, refused with the users service's code, or unknown when the
   * users service failed on it). If the call itself fails, nothing of it was applied, or it was
   * applied whole and a repeat answers it: a timeout leaves every seat unknown (the sweep repeats
   * each key), any other failure pays each seat alone.
   */
  async payGroup(seats: Seat[]): Promise<Payment[]> {
    if (seats.length === 1) return [await this.payOne(seats[0], { balance: true })];
    let outcomes: CoinChangeOutcome[];
    try {
      outcomes = await this.members.debitMany(seats.map((seat) => this.debitOf(seat)));
    } catch (error) {
      if (isBusRemoteError(error)) {
        this.logger.warn({ err: error, seats: seats.length }, 'group debit refused; paid alone');
        return Promise.all(seats.map((seat) => this.payOne(seat, { balance: true })));
      }
      return seats.map(() => ({ kind: 'unknown', error }));
    }
    return seats.map((seat, i): Payment => {
      const outcome = outcomes[i];
      if (outcome && 'result' in outcome) return { kind: 'paid', balance: outcome.result.balance };
      if (outcome && outcome.error.status < 500 && isErrorCode(outcome.error.code)) {
        const { code, message, details } = outcome.error;
        return { kind: 'refused', error: new DomainError(code, message, details) };
      }
      return { kind: 'unknown', error: new Error(outcome?.error.message ?? 'no outcome') };
    });
  }

  private debitOf(seat: Seat): CoinChange {
    return {
      memberId: seat.memberId,
      amount: seat.price,
      idempotencyKey: joinDebitKey(seat),
      reason: ledgerReason('Event', seat.title),
    };
  }

  /** `pay` for one seat, in a call of its own. */
  async payOne(seat: Seat, options: { balance: boolean }): Promise<Payment> {
    try {
      if (seat.price === 0) {
        return {
          kind: 'paid',
          balance: options.balance ? await this.members.balance(seat.memberId) : null,
        };
      }
      const debit = await this.members.debit(this.debitOf(seat));
      return { kind: 'paid', balance: debit.balance };
    } catch (error) {
      if (isBusRemoteError(error) && error.status < 500) {
        return { kind: 'refused', error: asDomainError(error) };
      }
      // A free seat charged nothing, so a failed balance read is no reason to keep it pending.
      if (seat.price === 0) {
        return {
          kind: 'refused',
          error: new DomainError(ErrorCode.SERVICE_UNAVAILABLE, (error as Error).message),
        };
      }
      return { kind: 'unknown', error };
    }
  }

  /**
   * A paid seat: `pending` → `joined` (and its promotion, if any, `promoted`), with the bus events,
   * in one transaction. If the event was cancelled meanwhile the seat ends `cancelled` and is
   * refunded; if the sweep already settled it, whatever it did stands (a seat it gave back is
   * refunded: the debit went through after all). The `state` lock keeps a cancellation (FOR
   * UPDATE) from committing between the `is_active` read and the confirmation, so a seat confirmed
   * here is one the cancellation sees and refunds; it does not wait for, nor hold up, other
   * confirmations and seat changes of the event, which the seat's own row already orders (both
   * this and a give-back change it only while `pending`).
   */
  confirmPaid(seat: Seat): Promise<Settled> {
    return this.confirmations.submit(seat.eventId, seat);
  }

  /**
   * The confirmations of one event's paid seats that arrive together, in one transaction (one
   * commit) under the `state` lock: every seat still pending becomes `joined` in one statement and
   * all their bus events go to the outbox in one insert. A seat that was no longer pending, an
   * event cancelled meanwhile, or a failed group: each seat is then settled alone (`confirmOne`),
   * which decides exactly as before. A lone seat goes alone at once.
   */
  async confirmGroup(eventId: string, seats: Seat[]): Promise<(Settled | Error)[]> {
    const alone = (seat: Seat) => this.confirmOne(seat).catch((error: Error) => error);
    if (seats.length === 1) return [await alone(seats[0])];
    let confirmed: Map<string, Confirmation> | undefined;
    try {
      confirmed = await this.transactions.run(async (tx) => {
        const event = await this.seats.lockEvent(tx.manager, eventId, 'state');
        if (event && !event.isActive) return undefined;
        const confirmations = await this.seats.confirmMany(
          tx.manager,
          seats.map((seat) => seat.id),
        );
        const events = seats.flatMap((seat) => {
          const confirmation = confirmations.get(seat.id);
          return confirmation ? this.joinedEvents(tx, seat, confirmation) : [];
        });
        if (events.length > 0) await this.outbox.publishAll(tx, events);
        return confirmations;
      });
    } catch (error) {
      this.logger.warn(
        { err: error, eventId, seats: seats.length },
        'group confirmation failed; each seat is settled alone',
      );
    }
    const done = confirmed;
    if (!done) return Promise.all(seats.map(alone));
    return Promise.all(
      seats.map(async (seat): Promise<Settled | Error> => {
        const confirmation = done.get(seat.id);
        if (!confirmation) return alone(seat);
        return { kind: 'joined', joinedAt: confirmation.joinedAt, byUs: true };
      }),
    );
  }

  /** `confirmPaid` for one seat, in a transaction of its own. */
  async confirmOne(seat: Seat): Promise<Settled> {
    const outcome = await this.transactions.run(async (tx) => {
      const db = tx.manager;
      const event = await this.seats.lockEvent(db, seat.eventId, 'state');
      if (event && !event.isActive) {
        if (await this.seats.endPending(db, { seatId: seat.id, as: 'cancelled' })) {
          await this.waitlist.endPromotion(db, { participantId: seat.id, as: 'released' });
          return { kind: 'cancelled' as const };
        }
      } else {
        const confirmation = await this.seats.confirm(db, seat.id);
        if (confirmation) {
          await this.publishJoined(tx, seat, confirmation);
          return { kind: 'confirmed' as const, confirmation };
        }
      }
      return { kind: 'settled' as const, current: await this.seats.find(db, seat.id) };
    });
    if (outcome.kind === 'confirmed') {
      return { kind: 'joined', joinedAt: outcome.confirmation.joinedAt, byUs: true };
    }
    if (outcome.kind === 'cancelled') {
      await this.refund({ ...seat, status: 'cancelled' });
      return { kind: 'cancelled' };
    }
    const current = outcome.current;
    if (current?.status === 'joined') {
      const joinedAt = await this.seats.joinedAtOf(this.transactions.manager, seat.id);
      return { kind: 'joined', joinedAt: joinedAt ?? new Date(), byUs: false };
    }
    if (current?.status === 'cancelled') {
      await this.refund(current);
      return { kind: 'cancelled' };
    }
    // Given back by the sweep (its own debit was refused) while ours went through: pay back.
    await this.refundLostSeat(current ?? seat);
    return { kind: 'lost' };
  }

  /**
   * A seat whose debit was refused: `pending` → `failed` and the seat back; a promotion is
   * `skipped` (with its bus event) and the freed seat offered to the next in line. False when the
   * seat was not pending any more.
   */
  async giveBack(seat: Seat, refusal: DomainError): Promise<boolean> {
    const { released, offered } = await this.transactions.run(async (tx) => {
      const db = tx.manager;
      await this.seats.lockEvent(db, seat.eventId);
      if (!(await this.seats.endPending(db, { seatId: seat.id, as: 'failed' }))) {
        return { released: false, offered: [] };
      }
      const skipped = await this.waitlist.endPromotion(db, {
        participantId: seat.id,
        as: 'skipped',
      });
      if (skipped) {
        await this.outbox.publish(tx, EVENT_EVENTS.WAITLIST_SKIPPED, {
          event_id: seat.eventId,
          member_id: skipped,
          reason_code: refusal.code,
        });
      }
      return { released: true, offered: await this.offerFreedSeats(tx, seat.eventId) };
    });
    await this.settlePromotions(offered);
    return released;
  }

  /**
   * Under the event's `seats` lock or FOR UPDATE (taken by the caller): every free seat goes to the
   * first member waiting, in line order, as a `pending` seat; the caller settles them after the
   * commit (`settlePromotions`). Nothing for a cancelled or started event; an event whose capacity
   * was lifted takes the whole line. One statement per seat offered (the usual freed seat: one).
   */
  async offerFreedSeats(tx: Tx, eventId: string): Promise<Seat[]> {
    const offered: Seat[] = [];
    for (;;) {
      const offer = await this.seats.offerSeatToHeadOfLine(tx.manager, eventId);
      if (!offer) break;
      offered.push(offer.seat);
      const { capacity, seatsTaken } = offer.seatsAfter;
      if (capacity !== null && seatsTaken >= capacity) break;
    }
    return offered;
  }

  /**
   * Under the event's lock (taken by the caller): the member's seat is given back before the start
   * (refund marked due), the freed seat goes to the first member in line, and
   * `event.participant_left` is written. The caller refunds `left` and settles `offered` after the
   * commit.
   */
  async leaveLocked(
    tx: Tx,
    args: { eventId: string; memberId: string },
  ): Promise<{ left: LeftSeat; offered: Seat[] }> {
    const left = await this.seats.leave(tx.manager, args.eventId, args.memberId);
    const offered = await this.offerFreedSeats(tx, args.eventId);
    // Under the lock nothing else moves the count: the freed seat, then one per promotion.
    const seats = {
      capacity: left.seatsAfter.capacity,
      seatsTaken: left.seatsAfter.seatsTaken + offered.length,
    };
    await this.outbox.publish(tx, EVENT_EVENTS.PARTICIPANT_LEFT, {
      event_id: args.eventId,
      member_id: args.memberId,
      left_at: left.leftAt.toISOString(),
      refunded: left.price,
      participants_count: seats.seatsTaken,
      spots_left: spotsLeft(seats),
    });
    return { left, offered };
  }

  /** Pays for and settles seats offered to waiting members; failures stay for the sweep. */
  async settlePromotions(seats: readonly Seat[]): Promise<void> {
    await Promise.all(
      seats.map(async (seat) => {
        try {
          await this.settleOffered(seat);
        } catch (error) {
          this.logger.warn(
            { err: error, seatId: seat.id, eventId: seat.eventId, memberId: seat.memberId },
            'promotion not settled; the recovery sweep settles it',
          );
        }
      }),
    );
  }

  private async settleOffered(seat: Seat): Promise<void> {
    const payment = await this.pay(seat, { balance: false });
    if (payment.kind === 'paid') await this.confirmPaid(seat);
    else if (payment.kind === 'refused') await this.giveBack(seat, payment.error);
    else {
      this.logger.warn(
        { err: payment.error, seatId: seat.id, memberId: seat.memberId },
        'promotion debit outcome unknown; left pending for the recovery sweep',
      );
    }
  }

  /** A paid attempt that ended without a seat gets its price back, once (the refund key). */
  async refundLostSeat(seat: Seat): Promise<void> {
    if (seat.price === 0) return;
    await this.seats.markRefundDue(seat.id);
    await this.refund({ ...seat, status: seat.status === 'cancelled' ? 'cancelled' : 'failed' });
  }

  /**
   * Credits an attempt's refund and marks it done. On failure the refund stays `due` and the
   * sweep retries it; the attempt's refund key makes a retry after a lost answer harmless.
   */
  async refund(seat: Seat): Promise<number | null> {
    if (seat.price === 0) return null;
    const { key, reason } = refundOf(seat);
    try {
      const credit = await this.members.credit({
        memberId: seat.memberId,
        amount: seat.price,
        idempotencyKey: key,
        reason,
      });
      await this.seats.markRefunded(seat.id);
      return credit.balance;
    } catch (error) {
      this.logger.warn(
        { err: error, seatId: seat.id, memberId: seat.memberId },
        'refund not confirmed; the recovery sweep retries it',
      );
      return null;
    }
  }

  private async publishJoined(tx: Tx, seat: Seat, confirmation: Confirmation): Promise<void> {
    await this.outbox.publishAll(tx, this.joinedEvents(tx, seat, confirmation));
  }

  /** `event.participant_joined` (and `event.waitlist_promoted` for a promotion) of a confirmation. */
  private joinedEvents(tx: Tx, seat: Seat, confirmation: Confirmation): OutboxEvent[] {
    const joinedAt = confirmation.joinedAt.toISOString();
    // The confirm statement ended the seat's promotion, if it came from the waitlist.
    const fromWaitlist = confirmation.promotedMemberId !== null;
    const events: OutboxEvent[] = [
      outboxEvent(EVENT_EVENTS.PARTICIPANT_JOINED, {
        event_id: seat.eventId,
        member_id: seat.memberId,
        joined_at: joinedAt,
        price: seat.price,
        participants_count: confirmation.seats.seatsTaken,
        spots_left: spotsLeft(confirmation.seats),
        from_waitlist: fromWaitlist,
      }),
    ];
    if (fromWaitlist) {
      tx.afterCommit(countWaitlistPromotion);
      events.push(
        outboxEvent(EVENT_EVENTS.WAITLIST_PROMOTED, {
          event_id: seat.eventId,
          member_id: seat.memberId,
          joined_at: joinedAt,
          price: seat.price,
        }),
      );
    }
    return events;
  }
}
