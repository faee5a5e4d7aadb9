import { Injectable, Logger } from '@nestjs/common';
import { isUniqueViolation, Outbox, TransactionRunner } from '@up/database';
import {
  EventAudiencePage,
  EventParticipantsPage,
  JoinEventDto,
  JoinEventResult,
  LeaveEventDto,
  LeaveEventResult,
  ListEventAudienceDto,
  ListEventParticipantsDto,
} from '@up/contracts';
import { eventNotFound } from '../events/events.errors';
import { EventsService } from '../events/events.service';
import { MembersClient } from '../members/members.client';
import {
  alreadyJoined,
  eventFull,
  eventNotJoinable,
  joinAbandoned,
  joinCancelled,
  joinInDoubt,
} from './participation.errors';
import { SeatSettlement } from './seat-settlement.service';
import { Seat, SeatsRepository } from './seats.repository';
import { WaitlistRepository } from './waitlist.repository';
import { countJoin } from './participation.metrics';

/**
 * Joining and leaving events with UP coins.
 *
 * Join is a short saga across two services, with every step idempotent:
 *   1. reserve: under the event's row lock, take a seat and record the attempt as `pending`; a
 *      full, started, inactive or already-joined event stops here with nothing charged.
 *   2. pay: `users.debit_coins` with the attempt's idempotency key. A refusal (e.g.
 *      INSUFFICIENT_COINS) releases the seat; an unknown outcome (timeout) leaves it `pending`.
 *   3. confirm: `pending` → `joined`, with `event.participant_joined` in the outbox. If the event
 *      was cancelled meanwhile, or the recovery sweep gave the seat back, the debit is refunded.
 * Anything left `pending` by a crash or a timeout is settled forward by JoinRecoveryService. So a
 * seat is held only while its debit is settled, and no debit stands without a seat once the saga
 * ends. Steps 1 and 3 and a leave lock the event's row first (SeatsRepository), and run through
 * TransactionRunner, which runs them again after the rare deadlock or serialization failure.
 */
@Injectable()
export class ParticipationService {
  private readonly logger = new Logger(ParticipationService.name);

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly seats: SeatsRepository,
    private readonly waitlist: WaitlistRepository,
    private readonly settlement: SeatSettlement,
    private readonly members: MembersClient,
    private readonly events: EventsService,
    private readonly outbox: Outbox,
  ) {}

  join(request: JoinEventDto): Promise<JoinEventResult> {
    return countJoin(() => this.joinEvent(request));
  }

  private async joinEvent({ event_id, member_id }: JoinEventDto): Promise<JoinEventResult> {
    const seat = await this.reserve(event_id, member_id);
    const payment = await this.settlement.pay(seat);
    if (payment.kind === 'refused') {
      // Nothing was charged: give the seat back (to the waitlist, if anyone waits) before answering.
      await this.settlement.giveBack(seat, payment.error);
      throw payment.error;
    }
    if (payment.kind === 'unknown') {
      this.logger.warn(
        { err: payment.error, seatId: seat.id, eventId: event_id, memberId: member_id },
        'join debit outcome unknown; left pending for the recovery sweep',
      );
      throw joinInDoubt();
    }
    const settled = await this.settlement.confirmPaid(seat);
    if (settled.kind === 'cancelled') throw joinCancelled();
    if (settled.kind === 'lost') throw joinAbandoned();
    return {
      event_id,
      user_id: member_id,
      joined_at: settled.joinedAt.toISOString(),
      balance: payment.balance ?? 0,
    };
  }

  /** Step 1 of a join: a `pending` seat, or the reason there is none. */
  async reserve(eventId: string, memberId: string): Promise<Seat> {
    try {
      return await this.transactions.run(async ({ manager }) => {
        const event = await this.seats.lockEvent(manager, eventId);
        if (!event) throw eventNotFound(eventId);
        if (await this.seats.holdsSeat(manager, eventId, memberId)) throw alreadyJoined();
        if (!event.isActive) throw eventNotJoinable('inactive');
        if (!event.upcoming) throw eventNotJoinable('started');
        const seat = await this.seats.takeSeat(manager, eventId, memberId);
        if (!seat) throw eventFull();
        return seat;
      });
    } catch (error) {
      // The active-participation key: the same member joining twice at once.
      if (isUniqueViolation(error)) throw alreadyJoined();
      throw error;
    }
  }

  /**
   * Frees the seat before the start and refunds its price (retried by the sweep if need be). The
   * freed seat goes to the first member in the waitlist, in the same transaction.
   */
  async leave({ event_id, member_id }: LeaveEventDto): Promise<LeaveEventResult> {
    const { left, offered } = await this.transactions.run(async (tx) => {
      const event = await this.seats.lockEvent(tx.manager, event_id);
      if (!event) throw eventNotFound(event_id);
      return this.settlement.leaveLocked(tx, { eventId: event_id, memberId: member_id });
    });
    const [balance] = await Promise.all([
      left.price > 0 ? this.settlement.refund(left) : Promise.resolve(null),
      this.settlement.settlePromotions(offered),
    ]);
    return {
      event_id,
      user_id: member_id,
      left_at: left.leftAt.toISOString(),
      refunded: left.price,
      balance,
    };
  }

  /**
   * Public profiles of the participants, fetched in one batched call to users; with
   * `with_waitlist` (administration) the waitlist too, in line order.
   */
  /** Everyone the event concerns (seated and waiting), a keyset page of member ids. */
  async listAudience({ event_id, after, limit }: ListEventAudienceDto): Promise<EventAudiencePage> {
    await this.events.findOrFail(event_id);
    const memberIds = await this.seats.audiencePage({ eventId: event_id, after, limit });
    return {
      member_ids: memberIds,
      next: memberIds.length === limit ? memberIds[memberIds.length - 1] : null,
    };
  }

  async listParticipants({
    event_id,
    limit,
    offset,
    with_waitlist,
  }: ListEventParticipantsDto): Promise<EventParticipantsPage> {
    await this.events.findOrFail(event_id);
    const [page, line] = await Promise.all([
      this.seats.joinedPage({ eventId: event_id, limit, offset }),
      with_waitlist ? this.waitlist.line(event_id) : Promise.resolve(undefined),
    ]);
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
      ...(line
        ? {
            waitlist: line.map((entry, i) => ({
              user_id: entry.memberId,
              position: i + 1,
              joined_waitlist_at: entry.joinedWaitlistAt.toISOString(),
            })),
          }
        : {}),
    };
  }
}
