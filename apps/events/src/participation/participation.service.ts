import { Injectable, Logger } from '@nestjs/common';
import { isBusRemoteError } from '@up/bus';
import {
  DomainError,
  ErrorCode,
  EVENT_EVENTS,
  EventParticipantsPage,
  isErrorCode,
  JoinEventDto,
  JoinEventResult,
  LeaveEventDto,
  LeaveEventResult,
  ListEventParticipantsDto,
} from '@up/contracts';
import { EventsService } from '../events/events.service';
import { spotsLeft } from '../events/event-view';
import { MembersClient } from '../members/members.client';
import { EventPublisher } from '../shared/event-publisher';
import { joinDebitKey, joinRefundKey, ledgerReason } from './coin-keys';
import { joinAbandoned, joinInDoubt } from './participation.errors';
import { Confirmation, Seat, SeatsRepository } from './seats.repository';

/**
 * A refusal from the users service means the call changed nothing (INSUFFICIENT_COINS,
 * MEMBER_NOT_FOUND, ...). A timeout or an internal error leaves the outcome unknown.
 */
function isRefusal(error: unknown): boolean {
  return isBusRemoteError(error) && error.status < 500;
}

/** The users service's refusal, passed on with its code (402, 404, ...). */
function asDomainError(error: unknown): DomainError {
  if (isBusRemoteError(error) && isErrorCode(error.code)) {
    return new DomainError(error.code, error.message, error.details);
  }
  return new DomainError(ErrorCode.CONFLICT, (error as Error).message);
}

/**
 * Joining and leaving events with UP coins.
 *
 * Join is a short saga across two services, with every step idempotent:
 *   1. reserve: one SQL statement takes a seat (conditional increment under the event's row lock)
 *      and records the attempt as `pending`; a full, started, inactive or already-joined event
 *      stops here with nothing charged.
 *   2. pay: `users.debit_coins` with the attempt's idempotency key. A refusal (e.g.
 *      INSUFFICIENT_COINS) releases the seat; an unknown outcome (timeout) leaves it `pending`.
 *   3. confirm: `pending` → `joined`. If the recovery sweep gave the seat back meanwhile, the
 *      debit is refunded with the attempt's refund key.
 * Anything left `pending` by a crash or a timeout is settled forward by JoinRecoveryService: it
 * repeats the debit with the same key (charging at most once) and confirms, or releases the seat
 * when users refuses. So a seat is held only while its debit is settled, and no debit stands
 * without a seat once the saga ends.
 */
@Injectable()
export class ParticipationService {
  private readonly logger = new Logger(ParticipationService.name);

  constructor(
    private readonly seats: SeatsRepository,
    private readonly members: MembersClient,
    private readonly events: EventsService,
    private readonly publisher: EventPublisher,
  ) {}

  async join({ event_id, member_id }: JoinEventDto): Promise<JoinEventResult> {
    const seat = await this.seats.reserve(event_id, member_id);
    const balance = await this.pay(seat);
    const joinedAt = await this.confirmPaid(seat);
    return { event_id, user_id: member_id, joined_at: joinedAt.toISOString(), balance };
  }

  /** Step 2: the balance after paying; throws (after releasing the seat) when users refuses. */
  private async pay(seat: Seat): Promise<number> {
    try {
      if (seat.price === 0) return await this.members.balance(seat.memberId);
      const debit = await this.members.debit({
        memberId: seat.memberId,
        amount: seat.price,
        idempotencyKey: joinDebitKey(seat),
        reason: ledgerReason('Event', seat.title),
      });
      return debit.balance;
    } catch (error) {
      if (isRefusal(error) || seat.price === 0) {
        // Nothing was charged: give the seat back before answering.
        await this.seats.release(seat.id);
        throw isRefusal(error) ? asDomainError(error) : error;
      }
      this.logger.warn(
        { err: error, seatId: seat.id, eventId: seat.eventId, memberId: seat.memberId },
        'join debit outcome unknown; left pending for the recovery sweep',
      );
      throw joinInDoubt();
    }
  }

  /** Step 3. The sweep may have settled this attempt already, either way. */
  private async confirmPaid(seat: Seat): Promise<Date> {
    const confirmation = await this.seats.confirm(seat.id);
    if (confirmation) {
      await this.afterJoin(seat, confirmation);
      return confirmation.joinedAt;
    }
    const current = await this.seats.statusOf(seat.id);
    // Confirmed by the sweep, which also did the steps after the join.
    if (current.status === 'joined' && current.joinedAt) return current.joinedAt;
    // The sweep released the seat (its own debit was refused) but ours went through: pay back.
    await this.refundLostSeat(seat);
    throw joinAbandoned();
  }

  /** A paid attempt that ended without a seat gets its price back, once (the refund key). */
  async refundLostSeat(seat: Seat): Promise<void> {
    if (seat.price === 0) return;
    await this.seats.markRefundDue(seat.id);
    await this.refund(seat, 'Refund');
  }

  /**
   * Credits an attempt's refund and marks it done. On failure the refund stays `due` and the
   * sweep retries it; the same key makes a retry after a lost answer harmless.
   */
  async refund(seat: Seat, reasonPrefix: string): Promise<number | null> {
    try {
      const credit = await this.members.credit({
        memberId: seat.memberId,
        amount: seat.price,
        idempotencyKey: joinRefundKey(seat),
        reason: ledgerReason(reasonPrefix, seat.title),
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

  /**
   * After a confirmed join: the `first_event` achievement and the bus event. Neither touches
   * seats or coins, so a failure here is logged and does not undo the join.
   */
  async afterJoin(seat: Seat, { joinedAt, firstJoin, seats }: Confirmation): Promise<void> {
    if (firstJoin) {
      try {
        await this.members.awardFirstEvent(seat.memberId);
      } catch (error) {
        this.logger.warn({ err: error, memberId: seat.memberId }, 'first_event not awarded');
      }
    }
    await this.publisher.publish(EVENT_EVENTS.PARTICIPANT_JOINED, {
      event_id: seat.eventId,
      member_id: seat.memberId,
      joined_at: joinedAt.toISOString(),
      price: seat.price,
      participants_count: seats.seatsTaken,
      spots_left: spotsLeft(seats),
    });
  }

  /** Frees the seat before the start and refunds its price (retried by the sweep if need be). */
  async leave({ event_id, member_id }: LeaveEventDto): Promise<LeaveEventResult> {
    const left = await this.seats.leave(event_id, member_id);
    const balance = left.price > 0 ? await this.refund(left, 'Refund') : null;
    const { capacity, seatsTaken } = await this.seats.seatsOf(event_id);
    await this.publisher.publish(EVENT_EVENTS.PARTICIPANT_LEFT, {
      event_id,
      member_id,
      left_at: left.leftAt.toISOString(),
      refunded: left.price,
      participants_count: seatsTaken,
      spots_left: spotsLeft({ capacity, seatsTaken }),
    });
    return {
      event_id,
      user_id: member_id,
      left_at: left.leftAt.toISOString(),
      refunded: left.price,
      balance,
    };
  }

  /** Public profiles of the participants, fetched in one batched call to users. */
  async listParticipants({
    event_id,
    limit,
    offset,
  }: ListEventParticipantsDto): Promise<EventParticipantsPage> {
    await this.events.findOrFail(event_id);
    const page = await this.seats.joinedPage({ eventId: event_id, limit, offset });
    const profiles = await this.members.publicProfiles(page.rows.map((r) => r.memberId));
    const joinedAt = new Map(page.rows.map((r) => [r.memberId, r.joinedAt.toISOString()]));
    return {
      participants: profiles.map((profile) => ({
        id: profile.id,
        full_name: profile.full_name,
        role: profile.role,
        created_at: profile.created_at,
        achievements_count: profile.achievements_count,
        referral_code: profile.referral_code,
        photo_url: profile.photo_url,
        joined_at: joinedAt.get(profile.id) ?? '',
      })),
      total: page.total,
      limit,
      offset,
    };
  }
}
