import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '@up/contracts';
import { Queryable, queryOne, queryRows } from '@up/database';
import { eventNotFound } from '../events/events.errors';
import { cannotLeaveStarted, notJoined } from './participation.errors';
import { ParticipantStatus } from './participant.entity';

/** A seat held or taken by one join attempt (a join, or a promotion from the waitlist). */
export interface Seat {
  id: string;
  eventId: string;
  memberId: string;
  attempt: number;
  /** UP coins this attempt costs (the event's price when the seat was taken). */
  price: number;
  title: string;
  status: ParticipantStatus;
}

export interface LeftSeat extends Seat {
  leftAt: Date;
  /** The event's seats once this one was given back. */
  seatsAfter: EventSeats;
}

/** A seat offered to the first member in line, and the event's seats after it. */
export interface Offer {
  seat: Seat;
  seatsAfter: EventSeats;
}

export interface EventSeats {
  capacity: number | null;
  seatsTaken: number;
}

/** The event's row as seen under its lock: what every seat decision reads. */
export interface LockedEvent extends EventSeats {
  id: string;
  title: string;
  price: number;
  isActive: boolean;
  /** `start_date > now()`. */
  upcoming: boolean;
  startDate: Date;
  location: string | null;
  timezone: string;
}

export interface Confirmation {
  joinedAt: Date;
  seats: EventSeats;
  /** The member, when the seat was offered from the waitlist (its entry is now `promoted`). */
  promotedMemberId: string | null;
}

/**
 * How a transaction locks the event's row (always its first lock, see SeatsRepository):
 * - `seats` (FOR NO KEY UPDATE): it changes the seats or the line. Such transactions on one event
 *   run one at a time, so capacity, seat count, participants and line change together.
 * - `state` (FOR KEY SHARE): it only needs the event's `is_active` to stay as read until its
 *   commit (a paid seat's confirmation, which changes neither the seat count nor the line). It
 *   conflicts only with FOR UPDATE, taken by a cancellation or an edit (EventsRepository.lockById),
 *   so confirmations run beside each other and beside seat changes, never beside a cancellation.
 */
export type EventLock = 'seats' | 'state';

const LOCK_CLAUSE: Record<EventLock, string> = {
  seats: 'FOR NO KEY UPDATE',
  state: 'FOR KEY SHARE',
};

interface SeatRow {
  id: string;
  event_id: string;
  member_id: string;
  attempt: number;
  price: number;
  title: string;
  status: ParticipantStatus;
}

const SEAT_COLUMNS = `p.id, p.event_id, p.member_id, p.attempt, p.price, e.title, p.status`;

const toSeat = (row: SeatRow): Seat => ({
  id: row.id,
  eventId: row.event_id,
  memberId: row.member_id,
  attempt: row.attempt,
  price: row.price,
  title: row.title,
  status: row.status,
});

/**
 * The seat bookkeeping. Lock order, everywhere: the event's row first (`lockEvent`, taken by the
 * caller's transaction), then participant and waitlist rows. Every method that changes seats is
 * called inside a transaction that holds the event's `seats` lock, so the capacity, the seat count
 * and the participant rows change together and two replicas never interleave on one event; no two
 * transactions can wait on each other's participant rows in opposite orders.
 */
@Injectable()
export class SeatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Locks the event's row for the rest of `db`'s transaction (`seats` unless told, see EventLock);
   * undefined when there is none.
   */
  async lockEvent(
    db: Queryable,
    eventId: string,
    lock: EventLock = 'seats',
  ): Promise<LockedEvent | undefined> {
    const row = await queryOne<{
      id: string;
      title: string;
      price: number;
      capacity: number | null;
      seats_taken: number;
      is_active: boolean;
      upcoming: boolean;
      start_date: Date;
      location: string | null;
      timezone: string;
    }>(
      db,
      `SELECT id, title, price, capacity, seats_taken, is_active, start_date > now() AS upcoming,
              start_date, location, timezone
         FROM events.events WHERE id = $1 ${LOCK_CLAUSE[lock]}`,
      [eventId],
    );
    if (!row) return undefined;
    return {
      id: row.id,
      title: row.title,
      price: row.price,
      capacity: row.capacity,
      seatsTaken: row.seats_taken,
      isActive: row.is_active,
      upcoming: row.upcoming,
      startDate: row.start_date,
      location: row.location,
      timezone: row.timezone,
    };
  }

  /** Whether the member holds a seat (pending or joined). */
  async holdsSeat(db: Queryable, eventId: string, memberId: string): Promise<boolean> {
    const row = await queryOne<{ holds: boolean }>(
      db,
      `SELECT EXISTS (SELECT 1 FROM events.participants
                       WHERE event_id = $1 AND member_id = $2
                         AND status IN ('pending', 'joined')) AS holds`,
      [eventId, memberId],
    );
    return row?.holds ?? false;
  }

  /** Those of `memberIds` who hold a seat (pending or joined) in the event. */
  async seatHolders(
    db: Queryable,
    eventId: string,
    memberIds: readonly string[],
  ): Promise<string[]> {
    const rows = await queryRows<{ member_id: string }>(
      db,
      `SELECT member_id FROM events.participants
        WHERE event_id = $1 AND member_id = ANY($2::uuid[]) AND status IN ('pending', 'joined')`,
      [eventId, memberIds],
    );
    return rows.map((r) => r.member_id);
  }

  /**
   * `takeSeat` for several members at once (distinct, none holding a seat; the caller checked
   * under the event's lock): all of them get a `pending` seat, or, when the conditional increment
   * finds less room than that, none does (empty answer). One statement for the whole group.
   */
  async takeSeats(db: Queryable, eventId: string, memberIds: readonly string[]): Promise<Seat[]> {
    const rows = await queryRows<SeatRow>(
      db,
      `WITH seat AS (
         UPDATE events.events
            SET seats_taken = seats_taken + cardinality($2::uuid[])
          WHERE id = $1 AND (capacity IS NULL OR seats_taken + cardinality($2::uuid[]) <= capacity)
         RETURNING id, price, title
       )
       INSERT INTO events.participants (event_id, member_id, attempt, status, price)
       SELECT seat.id, m.member_id,
              COALESCE((SELECT max(p.attempt) FROM events.participants p
                         WHERE p.event_id = $1 AND p.member_id = m.member_id), 0) + 1,
              'pending', seat.price
         FROM seat, unnest($2::uuid[]) AS m(member_id)
       RETURNING id, event_id, member_id, attempt, price, (SELECT title FROM seat) AS title, status`,
      [eventId, memberIds],
    );
    return rows.map(toSeat);
  }

  /**
   * Takes a seat and records a `pending` attempt (the member's next attempt number, so its own
   * debit key); the caller has checked the event under its lock. The conditional increment repeats
   * the capacity check, and `participants_active_key` refuses a second live seat, as safety nets.
   * Undefined when the increment found no room.
   */
  async takeSeat(db: Queryable, eventId: string, memberId: string): Promise<Seat | undefined> {
    const row = await queryOne<SeatRow>(
      db,
      `WITH seat AS (
         UPDATE events.events
            SET seats_taken = seats_taken + 1
          WHERE id = $1 AND (capacity IS NULL OR seats_taken < capacity)
         RETURNING id, price, title
       )
       INSERT INTO events.participants (event_id, member_id, attempt, status, price)
       SELECT seat.id, $2,
              COALESCE((SELECT max(attempt) FROM events.participants
                         WHERE event_id = $1 AND member_id = $2), 0) + 1,
              'pending', seat.price
         FROM seat
       RETURNING id, event_id, member_id, attempt, price, (SELECT title FROM seat) AS title, status`,
      [eventId, memberId],
    );
    return row ? toSeat(row) : undefined;
  }

  /**
   * Under the event's `seats` lock: the first member waiting who holds no seat gets a `pending`
   * seat and their entry becomes `promoting`; members ahead of them who hold a seat already leave
   * the line (`released`). Nothing when the event is cancelled, started or full, or nobody waits.
   * One statement, so the lock is held for one round trip per promotion; the conditional increment
   * repeats the capacity check, as in `takeSeat`.
   */
  async offerSeatToHeadOfLine(db: Queryable, eventId: string): Promise<Offer | undefined> {
    const row = await queryOne<SeatRow & { capacity: number | null; seats_taken: number }>(
      db,
      `WITH room AS (
         SELECT id FROM events.events
          WHERE id = $1 AND is_active AND start_date > now()
            AND (capacity IS NULL OR seats_taken < capacity)
       ), head AS (
         SELECT w.id, w.member_id, w.joined_waitlist_at
           FROM events.waitlist w
          WHERE w.event_id = $1 AND w.status = 'waiting' AND EXISTS (SELECT 1 FROM room)
            AND NOT EXISTS (SELECT 1 FROM events.participants p
                             WHERE p.event_id = w.event_id AND p.member_id = w.member_id
                               AND p.status IN ('pending', 'joined'))
          ORDER BY w.joined_waitlist_at, w.id
          LIMIT 1
       ), passed AS (
         UPDATE events.waitlist w SET status = 'released', updated_at = now()
          WHERE w.event_id = $1 AND w.status = 'waiting' AND EXISTS (SELECT 1 FROM room)
            AND w.joined_waitlist_at
                <= COALESCE((SELECT joined_waitlist_at FROM head), 'infinity'::timestamptz)
            AND NOT EXISTS (SELECT 1 FROM head h
                             WHERE (h.joined_waitlist_at, h.id) <= (w.joined_waitlist_at, w.id))
            AND EXISTS (SELECT 1 FROM events.participants p
                         WHERE p.event_id = w.event_id AND p.member_id = w.member_id
                           AND p.status IN ('pending', 'joined'))
       ), seat AS (
         UPDATE events.events
            SET seats_taken = seats_taken + 1
          WHERE id = $1 AND (capacity IS NULL OR seats_taken < capacity)
            AND EXISTS (SELECT 1 FROM head)
         RETURNING id, price, title, capacity, seats_taken
       ), taken AS (
         INSERT INTO events.participants (event_id, member_id, attempt, status, price)
         SELECT seat.id, head.member_id,
                COALESCE((SELECT max(p.attempt) FROM events.participants p
                           WHERE p.event_id = $1 AND p.member_id = head.member_id), 0) + 1,
                'pending', seat.price
           FROM seat, head
         RETURNING id, event_id, member_id, attempt, price, status
       ), promoting AS (
         UPDATE events.waitlist w
            SET status = 'promoting', participant_id = taken.id, updated_at = now()
           FROM taken, head
          WHERE w.id = head.id
         RETURNING w.id
       )
       SELECT taken.id, taken.event_id, taken.member_id, taken.attempt, taken.price, taken.status,
              seat.title, seat.capacity, seat.seats_taken
         FROM taken, seat`,
      [eventId],
    );
    if (!row) return undefined;
    return {
      seat: toSeat(row),
      seatsAfter: { capacity: row.capacity, seatsTaken: row.seats_taken },
    };
  }

  /**
   * `pending` → `joined`, and its waitlist entry, if any, `promoting` → `promoted`; null when the
   * attempt is no longer pending. Answers what the steps after
   * a join need: the event's seats after it.
   */
  async confirm(db: Queryable, seatId: string): Promise<Confirmation | null> {
    return (await this.confirmMany(db, [seatId])).get(seatId) ?? null;
  }

  /**
   * `confirm` for several seats of one event in one statement (one seat is a group of one);
   * answers the confirmations by seat id (a seat no longer pending has none). Rows are locked in id order (the index scan of
   * `id = ANY`), so two groups never wait on each other in opposite orders.
   */
  async confirmMany(db: Queryable, seatIds: readonly string[]): Promise<Map<string, Confirmation>> {
    const rows = await queryRows<{
      id: string;
      joined_at: Date;
      capacity: number | null;
      seats_taken: number;
      promoted_member_id: string | null;
    }>(
      db,
      `WITH confirmed AS (
         UPDATE events.participants
            SET status = 'joined', joined_at = now(), updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = 'pending'
         RETURNING id, event_id, member_id, joined_at
       ), promoted AS (
         UPDATE events.waitlist w SET status = 'promoted', updated_at = now()
           FROM confirmed c
          WHERE w.participant_id = c.id AND w.status = 'promoting'
         RETURNING w.participant_id, w.member_id
       )
       SELECT c.id, c.joined_at, e.capacity, e.seats_taken,
              pr.member_id AS promoted_member_id
         FROM confirmed c JOIN events.events e ON e.id = c.event_id
         LEFT JOIN promoted pr ON pr.participant_id = c.id`,
      [seatIds],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          joinedAt: row.joined_at,
          seats: { capacity: row.capacity, seatsTaken: row.seats_taken },
          promotedMemberId: row.promoted_member_id,
        },
      ]),
    );
  }

  /**
   * A `pending` attempt ends without a seat: `failed` (its debit was refused) or `cancelled` (the
   * event was cancelled while it was paid for: its refund is owed). The seat goes back with it.
   * False when the attempt was not pending any more.
   */
  async endPending(
    db: Queryable,
    args: { seatId: string; as: 'failed' | 'cancelled' },
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `WITH ended AS (
         UPDATE events.participants
            SET status = $2::varchar, updated_at = now(),
                refund_state = CASE WHEN $2::varchar = 'cancelled' AND price > 0 THEN 'due' END
          WHERE id = $1 AND status = 'pending'
         RETURNING event_id
       )
       UPDATE events.events SET seats_taken = seats_taken - 1
        WHERE id IN (SELECT event_id FROM ended)
       RETURNING id`,
      [args.seatId, args.as],
    );
    return rows.length > 0;
  }

  async find(db: Queryable, seatId: string): Promise<Seat | undefined> {
    const row = await queryOne<SeatRow>(
      db,
      `SELECT ${SEAT_COLUMNS}
         FROM events.participants p JOIN events.events e ON e.id = p.event_id
        WHERE p.id = $1`,
      [seatId],
    );
    return row ? toSeat(row) : undefined;
  }

  async joinedAtOf(db: Queryable, seatId: string): Promise<Date | null> {
    const row = await queryOne<{ joined_at: Date | null }>(
      db,
      `SELECT joined_at FROM events.participants WHERE id = $1`,
      [seatId],
    );
    return row?.joined_at ?? null;
  }

  /**
   * `joined` → `left` before the start, the seat back, and the refund marked as owed. A second
   * leave finds no `joined` row, so an attempt is left, and refunded, once.
   */
  async leave(db: Queryable, eventId: string, memberId: string): Promise<LeftSeat> {
    const rows = await queryRows<
      SeatRow & { left_at: Date; capacity: number | null; seats_taken: number }
    >(
      db,
      `WITH gone AS (
         UPDATE events.participants p
            SET status = 'left', left_at = now(), updated_at = now(),
                refund_state = CASE WHEN p.price > 0 THEN 'due' END
           FROM events.events e
          WHERE p.event_id = $1 AND p.member_id = $2 AND p.status = 'joined'
            AND e.id = p.event_id AND e.start_date > now()
         RETURNING p.id, p.event_id, p.member_id, p.attempt, p.price, p.left_at, e.title, p.status
       ), freed AS (
         UPDATE events.events SET seats_taken = seats_taken - 1
          WHERE id IN (SELECT event_id FROM gone)
         RETURNING capacity, seats_taken
       )
       SELECT gone.*, freed.capacity, freed.seats_taken FROM gone, freed`,
      [eventId, memberId],
    );
    if (rows.length === 0) throw await this.whyNotLeft(db, eventId, memberId);
    const [row] = rows;
    return {
      ...toSeat(row),
      leftAt: row.left_at,
      seatsAfter: { capacity: row.capacity, seatsTaken: row.seats_taken },
    };
  }

  private async whyNotLeft(db: Queryable, eventId: string, memberId: string): Promise<DomainError> {
    const event = await queryOne<{ upcoming: boolean; joined: boolean }>(
      db,
      `SELECT e.start_date > now() AS upcoming,
              EXISTS (SELECT 1 FROM events.participants p
                       WHERE p.event_id = e.id AND p.member_id = $2 AND p.status = 'joined') AS joined
         FROM events.events e WHERE e.id = $1`,
      [eventId, memberId],
    );
    if (!event) return eventNotFound(eventId);
    if (!event.joined) return notJoined();
    return cannotLeaveStarted();
  }

  /** Every `joined` participant → `cancelled`, refund owed, seats back; the cancelled seats. */
  async cancelJoined(db: Queryable, eventId: string): Promise<Seat[]> {
    const rows = await queryRows<SeatRow>(
      db,
      `WITH gone AS (
         UPDATE events.participants p
            SET status = 'cancelled', left_at = now(), updated_at = now(),
                refund_state = CASE WHEN p.price > 0 THEN 'due' END
          WHERE p.event_id = $1 AND p.status = 'joined'
         RETURNING p.id, p.event_id, p.member_id, p.attempt, p.price, p.status
       ), freed AS (
         UPDATE events.events e SET seats_taken = seats_taken - (SELECT count(*) FROM gone)
          WHERE e.id = $1
         RETURNING e.title
       )
       SELECT gone.*, freed.title FROM gone, freed`,
      [eventId],
    );
    return rows.map(toSeat);
  }

  /** Records that a paid attempt lost its seat and is owed its price back. */
  async markRefundDue(seatId: string): Promise<void> {
    await queryRows(
      this.dataSource,
      `UPDATE events.participants SET refund_state = 'due', updated_at = now()
        WHERE id = $1 AND refund_state IS NULL`,
      [seatId],
    );
  }

  async markRefunded(seatId: string, db: Queryable = this.dataSource): Promise<void> {
    await queryRows(
      db,
      `UPDATE events.participants SET refund_state = 'done', updated_at = now()
        WHERE id = $1 AND refund_state = 'due'`,
      [seatId],
    );
  }

  /** Attempts left `pending` (or owed a refund) for longer than `graceMs`: the sweep's work. */
  async staleIds(args: {
    kind: 'pending' | 'refund';
    graceMs: number;
    limit: number;
  }): Promise<string[]> {
    const condition = args.kind === 'pending' ? `status = 'pending'` : `refund_state = 'due'`;
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM events.participants
        WHERE (status = 'pending' OR refund_state = 'due') AND ${condition}
          AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at LIMIT $2`,
      [args.graceMs, args.limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Claims one stale attempt for the sweep by moving its `updated_at` to now: another replica's
   * sweep no longer sees it as stale for a grace period. One single-row statement, so it holds no
   * lock while the sweep talks to users (the event's lock is taken afterwards, in order).
   * Undefined when someone else claimed or settled it first.
   */
  async claimForSettlement(args: {
    seatId: string;
    kind: 'pending' | 'refund';
    graceMs: number;
  }): Promise<Seat | undefined> {
    const condition = args.kind === 'pending' ? `p.status = 'pending'` : `p.refund_state = 'due'`;
    const row = await queryOne<SeatRow>(
      this.dataSource,
      `UPDATE events.participants p SET updated_at = now()
         FROM events.events e
        WHERE p.id = $1 AND e.id = p.event_id AND ${condition}
          AND p.updated_at < now() - make_interval(secs => $2::double precision / 1000)
        RETURNING ${SEAT_COLUMNS}`,
      [args.seatId, args.graceMs],
    );
    return row ? toSeat(row) : undefined;
  }

  /** Participants who joined, in joining order, with the total. */
  async joinedPage(args: {
    eventId: string;
    limit: number;
    offset: number;
  }): Promise<{ rows: { memberId: string; joinedAt: Date }[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      queryRows<{ member_id: string; joined_at: Date }>(
        this.dataSource,
        `SELECT member_id, joined_at FROM events.participants
          WHERE event_id = $1 AND status = 'joined'
          ORDER BY joined_at, id LIMIT $2 OFFSET $3`,
        [args.eventId, args.limit, args.offset],
      ),
      queryRows<{ total: number }>(
        this.dataSource,
        `SELECT count(*)::int AS total FROM events.participants
          WHERE event_id = $1 AND status = 'joined'`,
        [args.eventId],
      ),
    ]);
    return { rows: rows.map((r) => ({ memberId: r.member_id, joinedAt: r.joined_at })), total };
  }

  /**
   * Member ids of an event's seated participants and waiting line, by id after `after` (keyset).
   * A member both seated and in line (mid-promotion) appears once.
   */
  async audiencePage(args: {
    eventId: string;
    after: string | undefined;
    limit: number;
  }): Promise<string[]> {
    const rows = await queryRows<{ member_id: string }>(
      this.dataSource,
      `SELECT member_id FROM (
         SELECT member_id FROM events.participants WHERE event_id = $1 AND status = 'joined'
         UNION
         SELECT member_id FROM events.waitlist
          WHERE event_id = $1 AND status IN ('waiting', 'promoting')
       ) audience
       WHERE $2::uuid IS NULL OR member_id > $2::uuid
       ORDER BY member_id LIMIT $3`,
      [args.eventId, args.after ?? null, args.limit],
    );
    return rows.map((r) => r.member_id);
  }

  /** Whether the member has a join in progress (a seat held while its debit is settled). */
  async hasPending(db: Queryable, memberId: string): Promise<boolean> {
    const row = await queryOne<{ found: boolean }>(
      db,
      `SELECT EXISTS (SELECT 1 FROM events.participants
                       WHERE member_id = $1 AND status = 'pending') AS found`,
      [memberId],
    );
    return row?.found ?? false;
  }

  /** Events where the member holds a `joined` seat (`upcoming`: not started yet), in id order. */
  async joinedEventIds(
    db: Queryable,
    args: { memberId: string; upcomingOnly: boolean },
  ): Promise<string[]> {
    const rows = await queryRows<{ event_id: string }>(
      db,
      `SELECT p.event_id FROM events.participants p JOIN events.events e ON e.id = p.event_id
        WHERE p.member_id = $1 AND p.status = 'joined'
          AND (NOT $2::boolean OR e.start_date > now())
        ORDER BY p.event_id`,
      [args.memberId, args.upcomingOnly],
    );
    return rows.map((r) => r.event_id);
  }

  /**
   * A merge: the `joined` seat of `from` in the event becomes `to`'s, as `to`'s next attempt (so
   * its refund key is `to`'s own); under the event's lock, when `to` holds no seat there.
   */
  async moveJoined(
    db: Queryable,
    args: { eventId: string; from: string; to: string },
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE events.participants
          SET member_id = $3, updated_at = now(),
              attempt = COALESCE((SELECT max(attempt) FROM events.participants
                                   WHERE event_id = $1 AND member_id = $3), 0) + 1
        WHERE event_id = $1 AND member_id = $2 AND status = 'joined'
        RETURNING id`,
      [args.eventId, args.from, args.to],
    );
    return rows.length > 0;
  }

  /** The member's attempts whose refund is owed (not yet confirmed by the users service). */
  async owedRefunds(db: Queryable, memberId: string): Promise<Seat[]> {
    const rows = await queryRows<SeatRow>(
      db,
      `SELECT ${SEAT_COLUMNS}
         FROM events.participants p JOIN events.events e ON e.id = p.event_id
        WHERE p.member_id = $1 AND p.refund_state = 'due'`,
      [memberId],
    );
    return rows.map(toSeat);
  }
}
