import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Queryable, queryOne, queryRows } from '@up/database';

export interface WaitlistEntry {
  id: string;
  eventId: string;
  memberId: string;
  joinedWaitlistAt: Date;
}

interface EntryRow {
  id: string;
  event_id: string;
  member_id: string;
  joined_waitlist_at: Date;
}

const toEntry = (row: EntryRow): WaitlistEntry => ({
  id: row.id,
  eventId: row.event_id,
  memberId: row.member_id,
  joinedWaitlistAt: row.joined_waitlist_at,
});

/**
 * The `events.waitlist` table. Every change of the line (joining, leaving, an offer) happens in a
 * transaction that holds the event's `seats` lock (see SeatsRepository), so the line of one event
 * changes one transaction at a time and its order is the order members got that lock. An offered
 * entry is ended (`promoted`, `skipped`, `released`) by the steps that settle its seat.
 */
@Injectable()
export class WaitlistRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Puts the member at the end of the line; undefined when they are in it already. */
  async add(db: Queryable, eventId: string, memberId: string): Promise<WaitlistEntry | undefined> {
    const row = await queryOne<EntryRow>(
      db,
      `INSERT INTO events.waitlist (event_id, member_id, status, joined_waitlist_at)
       VALUES ($1, $2, 'waiting', clock_timestamp())
       ON CONFLICT (event_id, member_id) WHERE status IN ('waiting', 'promoting') DO NOTHING
       RETURNING id, event_id, member_id, joined_waitlist_at`,
      [eventId, memberId],
    );
    return row ? toEntry(row) : undefined;
  }

  /** Whether the member is in line (waiting, or being offered a seat). */
  async isInLine(db: Queryable, eventId: string, memberId: string): Promise<boolean> {
    const row = await queryOne<{ found: boolean }>(
      db,
      `SELECT EXISTS (SELECT 1 FROM events.waitlist
                       WHERE event_id = $1 AND member_id = $2
                         AND status IN ('waiting', 'promoting')) AS found`,
      [eventId, memberId],
    );
    return row?.found ?? false;
  }

  /** `waiting` → `left`; false when the member was not waiting. */
  async remove(db: Queryable, eventId: string, memberId: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE events.waitlist SET status = 'left', updated_at = now()
        WHERE event_id = $1 AND member_id = $2 AND status = 'waiting'
        RETURNING id`,
      [eventId, memberId],
    );
    return rows.length > 0;
  }

  /**
   * Ends the promotion that offered seat `participantId`: `promoted` (paid), `skipped` (could not
   * pay) or `released` (the event was cancelled meanwhile). Answers the member when the seat came
   * from the waitlist.
   */
  async endPromotion(
    db: Queryable,
    args: { participantId: string; as: 'promoted' | 'skipped' | 'released' },
  ): Promise<string | undefined> {
    const row = await queryOne<{ member_id: string }>(
      db,
      `UPDATE events.waitlist SET status = $2::varchar, updated_at = now()
        WHERE participant_id = $1 AND status = 'promoting'
        RETURNING member_id`,
      [args.participantId, args.as],
    );
    return row?.member_id;
  }

  /** The whole line of a cancelled event is released; the members released. */
  async releaseAll(db: Queryable, eventId: string): Promise<string[]> {
    const rows = await queryRows<{ member_id: string }>(
      db,
      `UPDATE events.waitlist SET status = 'released', updated_at = now()
        WHERE event_id = $1 AND status = 'waiting'
        RETURNING member_id`,
      [eventId],
    );
    return rows.map((r) => r.member_id);
  }

  /**
   * The member's place in line (1 = next); null when not waiting. The member's own entry is looked
   * up once (MATERIALIZED): as a plain join, a fresh table without statistics got a nested loop that
   * looked it up again for every entry ahead, O(n²) under the event's lock (130 ms at 1,000).
   */
  async positionOf(db: Queryable, eventId: string, memberId: string): Promise<number | null> {
    const row = await queryOne<{ position: number }>(
      db,
      `WITH me AS MATERIALIZED (
         SELECT joined_waitlist_at, id FROM events.waitlist
          WHERE event_id = $1 AND member_id = $2 AND status = 'waiting'
       )
       SELECT count(*)::int AS position FROM me, events.waitlist w
        WHERE w.event_id = $1 AND w.status = 'waiting'
          AND (w.joined_waitlist_at, w.id) <= (me.joined_waitlist_at, me.id)`,
      [eventId, memberId],
    );
    return row && row.position > 0 ? row.position : null;
  }

  async countWaiting(eventId: string): Promise<number> {
    const row = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM events.waitlist
        WHERE event_id = $1 AND status = 'waiting'`,
      [eventId],
    );
    return row?.total ?? 0;
  }

  /** The line, in order. */
  async line(eventId: string): Promise<WaitlistEntry[]> {
    const rows = await queryRows<EntryRow>(
      this.dataSource,
      `SELECT id, event_id, member_id, joined_waitlist_at FROM events.waitlist
        WHERE event_id = $1 AND status = 'waiting'
        ORDER BY joined_waitlist_at, id`,
      [eventId],
    );
    return rows.map(toEntry);
  }

  /** Events whose line the member is in (waiting, or being offered a seat), in id order. */
  async eventIdsInLine(db: Queryable, memberId: string): Promise<string[]> {
    const rows = await queryRows<{ event_id: string }>(
      db,
      `SELECT event_id FROM events.waitlist
        WHERE member_id = $1 AND status IN ('waiting', 'promoting')
        ORDER BY event_id`,
      [memberId],
    );
    return rows.map((r) => r.event_id);
  }

  /** A merge: `from`'s waiting place in the event becomes `to`'s, keeping its position. */
  async moveWaiting(
    db: Queryable,
    args: { eventId: string; from: string; to: string },
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE events.waitlist SET member_id = $3, updated_at = now()
        WHERE event_id = $1 AND member_id = $2 AND status = 'waiting'
        RETURNING id`,
      [args.eventId, args.from, args.to],
    );
    return rows.length > 0;
  }

  /** `waiting` → `released` for the member in the event (they hold a place some other way). */
  async releaseMember(db: Queryable, eventId: string, memberId: string): Promise<void> {
    await queryRows(
      db,
      `UPDATE events.waitlist SET status = 'released', updated_at = now()
        WHERE event_id = $1 AND member_id = $2 AND status = 'waiting'`,
      [eventId, memberId],
    );
  }
}
