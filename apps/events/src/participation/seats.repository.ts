import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '@up/contracts';
import { isUniqueViolation, Queryable, queryOne, queryRows } from '@up/database';
import { eventNotFound } from '../events/events.errors';
import {
  alreadyJoined,
  cannotLeaveStarted,
  eventFull,
  eventNotJoinable,
  notJoined,
} from './participation.errors';

/** A seat held or taken by one join attempt. */
export interface Seat {
  id: string;
  eventId: string;
  memberId: string;
  attempt: number;
  /** UP coins this attempt costs (the event's price when the seat was taken). */
  price: number;
  title: string;
}

export interface LeftSeat extends Seat {
  leftAt: Date;
}

export interface EventSeats {
  capacity: number | null;
  seatsTaken: number;
}

export interface Confirmation {
  joinedAt: Date;
  /** No other attempt of this member, on any event, was ever confirmed (`first_event`). */
  firstJoin: boolean;
  seats: EventSeats;
}

interface SeatRow {
  id: string;
  event_id: string;
  member_id: string;
  attempt: number;
  price: number;
  title: string;
}

const toSeat = (row: SeatRow): Seat => ({
  id: row.id,
  eventId: row.event_id,
  memberId: row.member_id,
  attempt: row.attempt,
  price: row.price,
  title: row.title,
});

/**
 * The seat bookkeeping, as single SQL statements: each one changes the seat count and the
 * participant row together, atomically, and re-checks its conditions on the latest committed row
 * (PostgreSQL re-evaluates an UPDATE's WHERE after waiting for a concurrent writer). That is what
 * keeps the capacity exact across any number of replicas without application-level locks.
 */
@Injectable()
export class SeatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes a seat and records a `pending` attempt in one statement: the event row's conditional
   * increment is the capacity check (and locks the row for the rest of the statement), the insert
   * fails on `participants_active_key` when the member already holds a seat, which undoes the
   * increment with it.
   */
  async reserve(eventId: string, memberId: string): Promise<Seat> {
    let rows: SeatRow[];
    try {
      rows = await queryRows<SeatRow>(
        this.dataSource,
        `WITH seat AS (
           UPDATE events.events
              SET seats_taken = seats_taken + 1
            WHERE id = $1 AND is_active AND start_date > now()
              AND (capacity IS NULL OR seats_taken < capacity)
           RETURNING id, price, title
         )
         INSERT INTO events.participants (event_id, member_id, attempt, status, price)
         SELECT seat.id, $2,
                COALESCE((SELECT max(attempt) FROM events.participants
                           WHERE event_id = $1 AND member_id = $2), 0) + 1,
                'pending', seat.price
           FROM seat
         RETURNING id, event_id, member_id, attempt, price, (SELECT title FROM seat) AS title`,
        [eventId, memberId],
      );
    } catch (error) {
      // The active-participation key, or the attempt key when the same member joins twice at once.
      if (isUniqueViolation(error)) throw alreadyJoined();
      throw error;
    }
    if (rows.length === 0) throw await this.whyNoSeat(eventId, memberId);
    return toSeat(rows[0]);
  }

  /** Why `reserve` took nothing, in the order a member would want to hear it. */
  private async whyNoSeat(eventId: string, memberId: string): Promise<DomainError> {
    const event = await queryOne<{ is_active: boolean; upcoming: boolean; holds_seat: boolean }>(
      this.dataSource,
      `SELECT e.is_active, e.start_date > now() AS upcoming,
              EXISTS (SELECT 1 FROM events.participants p
                       WHERE p.event_id = e.id AND p.member_id = $2
                         AND p.status IN ('pending', 'joined')) AS holds_seat
         FROM events.events e WHERE e.id = $1`,
      [eventId, memberId],
    );
    if (!event) return eventNotFound(eventId);
    if (event.holds_seat) return alreadyJoined();
    if (!event.is_active) return eventNotJoinable('inactive');
    if (!event.upcoming) return eventNotJoinable('started');
    return eventFull();
  }

  /**
   * `pending` → `joined`; null when the attempt is no longer pending (see `statusOf`). Answers,
   * in the same round trip, what the steps after a join need: the event's seats, and whether this
   * is the member's first confirmed join ever.
   */
  async confirm(seatId: string, db: Queryable = this.dataSource): Promise<Confirmation | null> {
    const row = await queryOne<{
      joined_at: Date;
      capacity: number | null;
      seats_taken: number;
      first: boolean;
    }>(
      db,
      `WITH confirmed AS (
         UPDATE events.participants
            SET status = 'joined', joined_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'pending'
         RETURNING event_id, member_id, joined_at
       )
       SELECT c.joined_at, e.capacity, e.seats_taken,
              NOT EXISTS (SELECT 1 FROM events.participants p
                           WHERE p.member_id = c.member_id AND p.joined_at IS NOT NULL
                             AND p.id <> $1) AS first
         FROM confirmed c JOIN events.events e ON e.id = c.event_id`,
      [seatId],
    );
    if (!row) return null;
    return {
      joinedAt: row.joined_at,
      firstJoin: row.first,
      seats: { capacity: row.capacity, seatsTaken: row.seats_taken },
    };
  }

  /** `pending` → `failed` and the seat back, together; false when it was not pending any more. */
  async release(seatId: string, db: Queryable = this.dataSource): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `WITH released AS (
         UPDATE events.participants
            SET status = 'failed', updated_at = now()
          WHERE id = $1 AND status = 'pending'
         RETURNING event_id
       )
       UPDATE events.events SET seats_taken = seats_taken - 1
        WHERE id IN (SELECT event_id FROM released)
       RETURNING id`,
      [seatId],
    );
    return rows.length > 0;
  }

  async statusOf(seatId: string): Promise<{ status: string; joinedAt: Date | null }> {
    const [row] = await queryRows<{ status: string; joined_at: Date | null }>(
      this.dataSource,
      `SELECT status, joined_at FROM events.participants WHERE id = $1`,
      [seatId],
    );
    return { status: row.status, joinedAt: row.joined_at };
  }

  /**
   * `joined` → `left` before the start, the seat back, and the refund marked as owed, in one
   * statement. A second leave finds no `joined` row (it waited for the first one's row lock and
   * re-checked), so an attempt is left, and refunded, once.
   */
  async leave(eventId: string, memberId: string): Promise<LeftSeat> {
    const rows = await queryRows<SeatRow & { left_at: Date }>(
      this.dataSource,
      `WITH gone AS (
         UPDATE events.participants p
            SET status = 'left', left_at = now(), updated_at = now(),
                refund_state = CASE WHEN p.price > 0 THEN 'due' END
           FROM events.events e
          WHERE p.event_id = $1 AND p.member_id = $2 AND p.status = 'joined'
            AND e.id = p.event_id AND e.start_date > now()
         RETURNING p.id, p.event_id, p.member_id, p.attempt, p.price, p.left_at, e.title
       ), freed AS (
         UPDATE events.events SET seats_taken = seats_taken - 1
          WHERE id IN (SELECT event_id FROM gone)
         RETURNING id
       )
       SELECT gone.* FROM gone, freed`,
      [eventId, memberId],
    );
    if (rows.length === 0) throw await this.whyNotLeft(eventId, memberId);
    return { ...toSeat(rows[0]), leftAt: rows[0].left_at };
  }

  private async whyNotLeft(eventId: string, memberId: string): Promise<DomainError> {
    const event = await queryOne<{ upcoming: boolean; joined: boolean }>(
      this.dataSource,
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

  async seatsOf(eventId: string): Promise<EventSeats> {
    const [row] = await queryRows<{ capacity: number | null; seats_taken: number }>(
      this.dataSource,
      `SELECT capacity, seats_taken FROM events.events WHERE id = $1`,
      [eventId],
    );
    return { capacity: row.capacity, seatsTaken: row.seats_taken };
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
   * Locks one stale attempt for the sweep (SKIP LOCKED: another replica's sweep, or the join
   * still finishing it, keeps it); null when someone else has it or it is settled already.
   */
  async lockForSettlement(
    manager: EntityManager,
    args: { seatId: string; kind: 'pending' | 'refund' },
  ): Promise<Seat | null> {
    const condition = args.kind === 'pending' ? `p.status = 'pending'` : `p.refund_state = 'due'`;
    const [row] = await queryRows<SeatRow>(
      manager,
      `SELECT p.id, p.event_id, p.member_id, p.attempt, p.price, e.title
         FROM events.participants p JOIN events.events e ON e.id = p.event_id
        WHERE p.id = $1 AND ${condition}
        FOR UPDATE OF p SKIP LOCKED`,
      [args.seatId],
    );
    return row ? toSeat(row) : null;
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
}
