import { Injectable, Logger } from '@nestjs/common';
import { isUniqueViolation, Outbox, TransactionRunner } from '@up/database';
import {
  DomainError,
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
import { LeftSeat, Seat, SeatsRepository } from './seats.repository';
import { WaitlistRepository } from './waitlist.repository';
import { countJoin } from './participation.metrics';
import { KeyedBatcher } from '../shared/keyed-batcher';

/** At most this many joins (or leaves) of one event share one transaction. */
const GROUP = 200;

/** A seat given back, and the seats it freed offered to the line (paid after the commit). */
type Departure = { left: LeftSeat; offered: Seat[] };

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
  private readonly reservations = new KeyedBatcher<string, string, Seat>({
    maxBatch: GROUP,
    run: (eventId, memberIds) => this.reserveGroup(eventId, memberIds),
  });
  private readonly departures = new KeyedBatcher<string, string, Departure>({
    maxBatch: GROUP,
    run: (eventId, memberIds) => this.leaveGroup(eventId, memberIds),
  });

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

  /**
   * Step 1 of a join: a `pending` seat, or the reason there is none. The joins of one event that
   * arrive together are reserved together (`reserveGroup`): one transaction, one hold of the
   * event's lock and one commit for the group, instead of one each, which is what a rush on a
   * popular event queues behind.
   */
  reserve(eventId: string, memberId: string): Promise<Seat> {
    return this.reservations.submit(eventId, memberId);
  }

  /**
   * Reserves for every member in `memberIds` (in arrival order) under one lock of the event: the
   * checks of `reserveOne`, in its order, member by member, then one statement takes the seats of
   * those who get one; the rest of a full event are refused (EVENT_FULL). A member asked twice in
   * the group is ALREADY_JOINED the second time, as a second join waiting for the lock would be.
   * If the group's transaction fails, nothing of it was written: each join is tried again alone.
   */
  async reserveGroup(eventId: string, memberIds: string[]): Promise<(Seat | Error)[]> {
    if (memberIds.length === 1) {
      return [await this.reserveOne(eventId, memberIds[0]).catch((error: Error) => error)];
    }
    try {
      return await this.transactions.run(async ({ manager }) => {
        const event = await this.seats.lockEvent(manager, eventId);
        if (!event) return memberIds.map(() => eventNotFound(eventId));
        const holders = new Set(await this.seats.seatHolders(manager, eventId, memberIds));
        const outcomes: (Seat | Error | undefined)[] = [];
        const takers: string[] = [];
        let room =
          event.capacity === null ? Infinity : Math.max(0, event.capacity - event.seatsTaken);
        memberIds.forEach((memberId, i) => {
          if (holders.has(memberId) || takers.includes(memberId)) outcomes[i] = alreadyJoined();
          else if (!event.isActive) outcomes[i] = eventNotJoinable('inactive');
          else if (!event.upcoming) outcomes[i] = eventNotJoinable('started');
          else if (room <= 0) outcomes[i] = eventFull();
          else {
            takers.push(memberId);
            room -= 1;
          }
        });
        const seats = takers.length > 0 ? await this.seats.takeSeats(manager, eventId, takers) : [];
        if (seats.length !== takers.length) throw new Error('seats taken do not match the group');
        const byMember = new Map(seats.map((seat) => [seat.memberId, seat]));
        return memberIds.map((memberId, i) => outcomes[i] ?? (byMember.get(memberId) as Seat));
      });
    } catch (error) {
      this.logger.warn(
        { err: error, eventId, joins: memberIds.length },
        'group reservation failed; each join is tried alone',
      );
      return Promise.all(
        memberIds.map((memberId) =>
          this.reserveOne(eventId, memberId).catch((failure: Error) => failure),
        ),
      );
    }
  }

  /** One join's reservation in a transaction of its own. */
  async reserveOne(eventId: string, memberId: string): Promise<Seat> {
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
    const { left, offered } = await this.departures.submit(event_id, member_id);
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
   * The leaves of one event that arrive together, in one transaction under one lock of the event
   * (see `reserve`): each member's seat is given back, offered to the head of the line and
   * announced in turn, exactly as alone (`leaveLocked`). A member who cannot leave (NOT_JOINED,
   * started) gets that refusal and the others go on; any other failure rolls the group back whole,
   * and each leave is tried again alone. Refunds and promotions are paid after the commit.
   */
  async leaveGroup(eventId: string, memberIds: string[]): Promise<(Departure | Error)[]> {
    const leaveAlone = (memberId: string) =>
      this.transactions
        .run(async (tx) => {
          const event = await this.seats.lockEvent(tx.manager, eventId);
          if (!event) throw eventNotFound(eventId);
          return this.settlement.leaveLocked(tx, { eventId, memberId });
        })
        .catch((error: Error) => error);
    if (memberIds.length === 1) return [await leaveAlone(memberIds[0])];
    try {
      return await this.transactions.run(async (tx) => {
        const event = await this.seats.lockEvent(tx.manager, eventId);
        if (!event) return memberIds.map(() => eventNotFound(eventId));
        const outcomes: (Departure | Error)[] = [];
        for (const memberId of memberIds) {
          try {
            outcomes.push(await this.settlement.leaveLocked(tx, { eventId, memberId }));
          } catch (error) {
            // A refusal is read, not written: the transaction goes on for the others.
            if (!(error instanceof DomainError)) throw error;
            outcomes.push(error);
          }
        }
        return outcomes;
      });
    } catch (error) {
      this.logger.warn(
        { err: error, eventId, leaves: memberIds.length },
        'group leave failed; each leave is tried alone',
      );
      const outcomes: (Departure | Error)[] = [];
      for (const memberId of memberIds) outcomes.push(await leaveAlone(memberId));
      return outcomes;
    }
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
