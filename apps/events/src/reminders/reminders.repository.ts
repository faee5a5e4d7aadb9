import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '@up/database';
import type { ReminderOutcome } from './reminder-sent.entity';

/** An event with reminders to deal with, locked by this transaction. */
export interface DueEvent {
  id: string;
  title: string;
  startDate: Date;
  timezone: string;
  location: string | null;
  scheduledAt: Date;
  /** The transaction's clock (PostgreSQL's), which every due time is compared with. */
  now: Date;
}

interface DueEventRow {
  id: string;
  title: string;
  start_date: Date;
  timezone: string;
  location: string | null;
  scheduled_at: Date;
  now: Date;
}

/** The reminder sweep's reads and writes: `events.reminders_sent`, and due events' participants. */
@Injectable()
export class RemindersRepository {
  /**
   * Active, not yet started events with at least one reminder due (start - offset <= now) and not
   * recorded for their current start, soonest first, locked FOR NO KEY UPDATE SKIP LOCKED: each
   * replica's sweep takes events no other replica is working on, and the lock also keeps a
   * reschedule from moving the start while the reminder is written. (NO KEY UPDATE rather than
   * UPDATE: it does not wait for the key-share locks that participants' inserts hold.) Walks the
   * partial index `events_upcoming_idx` over the next `maxOffsetMs`.
   */
  async lockDueEvents(
    db: EntityManager,
    args: { offsetsMs: readonly number[]; limit: number },
  ): Promise<DueEvent[]> {
    const rows = await queryRows<DueEventRow>(
      db,
      `SELECT e.id, e.title, e.start_date, e.timezone, e.location, e.scheduled_at, now() AS now
         FROM events.events e
        WHERE e.is_active
          AND e.start_date > now()
          AND e.start_date <= now() + (SELECT max(ms) FROM unnest($1::bigint[]) ms) * interval '1 millisecond'
          AND EXISTS (
                SELECT 1 FROM unnest($1::bigint[]) AS o(ms)
                 WHERE e.start_date - o.ms * interval '1 millisecond' <= now()
                   AND NOT EXISTS (SELECT 1 FROM events.reminders_sent r
                                    WHERE r.event_id = e.id AND r.offset_ms = o.ms
                                      AND r.start_date = e.start_date))
        ORDER BY e.start_date, e.id
        LIMIT $2
        FOR NO KEY UPDATE OF e SKIP LOCKED`,
      [args.offsetsMs, args.limit],
    );
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      startDate: row.start_date,
      timezone: row.timezone,
      location: row.location,
      scheduledAt: row.scheduled_at,
      now: row.now,
    }));
  }

  /** The offsets (ms) already dealt with for each event's current start. */
  async doneOffsets(
    db: EntityManager,
    eventIds: readonly string[],
  ): Promise<Map<string, Set<number>>> {
    const rows = await queryRows<{ event_id: string; offset_ms: string }>(
      db,
      `SELECT r.event_id, r.offset_ms
         FROM events.reminders_sent r
         JOIN events.events e ON e.id = r.event_id AND e.start_date = r.start_date
        WHERE r.event_id = ANY($1::uuid[])`,
      [eventIds],
    );
    const done = new Map<string, Set<number>>();
    for (const row of rows) {
      const set = done.get(row.event_id) ?? new Set<number>();
      set.add(Number(row.offset_ms));
      done.set(row.event_id, set);
    }
    return done;
  }

  /** Members seated (`joined`) now who had joined by `joinedBy`, in joining order. */
  async participantsJoinedBy(
    db: EntityManager,
    args: { eventId: string; joinedBy: Date },
  ): Promise<string[]> {
    const rows = await queryRows<{ member_id: string }>(
      db,
      `SELECT member_id FROM events.participants
        WHERE event_id = $1 AND status = 'joined' AND joined_at <= $2
        ORDER BY joined_at, id`,
      [args.eventId, args.joinedBy],
    );
    return rows.map((row) => row.member_id);
  }

  /**
   * Records that a reminder was dealt with; false when it already was (another replica, a retried
   * transaction): the primary key is what makes each reminder go out once.
   */
  async record(
    db: EntityManager,
    args: {
      eventId: string;
      offsetMs: number;
      offsetLabel: string;
      outcome: ReminderOutcome;
      memberCount: number;
    },
  ): Promise<boolean> {
    const rows = await queryRows<{ event_id: string }>(
      db,
      // The start is read from the row (locked by the caller), not sent back from JS, whose
      // dates lose PostgreSQL's microseconds.
      `INSERT INTO events.reminders_sent
              (event_id, offset_ms, start_date, offset_label, outcome, member_count)
       SELECT e.id, $2, e.start_date, $3, $4, $5 FROM events.events e WHERE e.id = $1
       ON CONFLICT (event_id, offset_ms, start_date) DO NOTHING
       RETURNING event_id`,
      [args.eventId, args.offsetMs, args.offsetLabel, args.outcome, args.memberCount],
    );
    return rows.length > 0;
  }
}
