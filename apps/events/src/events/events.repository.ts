import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { queryOne, queryRows } from '@up/database';
import { EventEntity } from './event.entity';

export interface Page {
  limit: number;
  offset: number;
}

/** The columns a new event is given; the rest take their defaults. */
export type NewEvent = Omit<
  EventEntity,
  'id' | 'seatsTaken' | 'scheduledAt' | 'createdAt' | 'updatedAt'
>;

/** What an update may change. */
export type EventChanges = Partial<
  Pick<
    EventEntity,
    | 'title'
    | 'description'
    | 'startDate'
    | 'endDate'
    | 'location'
    | 'price'
    | 'imageUrl'
    | 'capacity'
    | 'isActive'
    | 'timezone'
  >
>;

/** A member's place in an event, as their events list shows it. */
export type MemberEventStatus = 'joined' | 'cancelled' | 'waitlisted';

/**
 * One row per event the member is in (`joined`), waits for (`waitlisted`) or was refunded by a
 * cancellation (`cancelled`); the strongest status wins when several attempts exist.
 */
const MEMBER_EVENTS = `
  SELECT DISTINCT ON (event_id) event_id, status
    FROM (SELECT event_id, status FROM events.participants
           WHERE member_id = $1 AND status IN ('joined', 'cancelled')
          UNION ALL
          SELECT event_id, 'waitlisted' FROM events.waitlist
           WHERE member_id = $1 AND status IN ('waiting', 'promoting')) mine
   ORDER BY event_id, CASE status WHEN 'joined' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END`;

/** The columns of an event as the reads answer them (raw rows, see `EventRow`). */
const EVENT_COLUMNS = `id, title, description, start_date, end_date, location, price, image_url,
  capacity, is_active, creator_id, created_at, updated_at, timezone, seats_taken`;

/** An event as the raw reads answer it (snake_case columns; timestamptz as Date). */
export interface EventRow {
  id: string;
  title: string;
  description: string | null;
  start_date: Date;
  end_date: Date | null;
  location: string | null;
  price: number;
  image_url: string | null;
  capacity: number | null;
  is_active: boolean;
  creator_id: string;
  created_at: Date;
  updated_at: Date;
  timezone: string;
  seats_taken: number;
}

/**
 * The statements of the hot public reads, exported so that the benchmark's bare equivalent runs
 * exactly what the service runs (bench/events-bare-server.ts).
 */
export const READ_SQL = {
  /** One page of the upcoming listing: a bounded scan of the partial index `events_upcoming_idx`. */
  upcomingPage: `SELECT ${EVENT_COLUMNS} FROM events.events
    WHERE is_active AND start_date >= now()
    ORDER BY start_date, id LIMIT $1 OFFSET $2`,
  /** The listing's total: an index-only scan of `events_upcoming_idx`. */
  upcomingCount: `SELECT count(*)::int AS total FROM events.events
    WHERE is_active AND start_date >= now()`,
  /** One event with the length of its waitlist, in one round trip. */
  byIdWithWaitlist: `SELECT ${EVENT_COLUMNS},
      (SELECT count(*)::int FROM events.waitlist w
        WHERE w.event_id = e.id AND w.status = 'waiting') AS waitlist_count
    FROM events.events e WHERE e.id = $1`,
} as const;

/**
 * The `events.events` table, read as EventEntity rows. Also answers the event-side questions about
 * a member's participation (their events, whether they joined one), which the events feature asks
 * without depending on the participation feature. Methods that take part in a caller's
 * transaction take its manager as `db`; without one they run on the pool.
 */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Active events that have not started, soonest first (ties by id, so pages never overlap), as
   * raw rows: the listing is the hottest read, and entity hydration was most of its cost.
   */
  upcomingPage({ limit, offset }: Page): Promise<EventRow[]> {
    return queryRows<EventRow>(this.dataSource, READ_SQL.upcomingPage, [limit, offset]);
  }

  /** Walks the partial index `events_upcoming_idx`, as `upcomingPage` does. */
  async countUpcoming(): Promise<number> {
    const row = await queryOne<{ total: number }>(this.dataSource, READ_SQL.upcomingCount);
    return row?.total ?? 0;
  }

  /** One event (raw row) with the number of members waiting for a seat; undefined when unknown. */
  findWithWaitlistCount(
    eventId: string,
  ): Promise<(EventRow & { waitlist_count: number }) | undefined> {
    return queryOne(this.dataSource, READ_SQL.byIdWithWaitlist, [eventId]);
  }

  /** Every event, inactive and past ones too, latest start first. */
  findLatestFirst({ limit, offset }: Page): Promise<EventEntity[]> {
    return this.events()
      .createQueryBuilder('e')
      .orderBy('e.start_date', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(limit)
      .offset(offset)
      .getMany();
  }

  countAll(): Promise<number> {
    return this.count('true');
  }

  /**
   * The events of a member (see MEMBER_EVENTS) with their status: upcoming ones soonest first,
   * then past ones latest first.
   */
  async findOfMember({
    memberId,
    limit,
    offset,
  }: Page & { memberId: string }): Promise<{ event: EventEntity; status: MemberEventStatus }[]> {
    const page = await queryRows<{ id: string; status: MemberEventStatus }>(
      this.dataSource,
      `SELECT e.id, m.status
         FROM (${MEMBER_EVENTS}) m JOIN events.events e ON e.id = m.event_id
        ORDER BY CASE WHEN e.start_date >= now() THEN 0 ELSE 1 END,
                 CASE WHEN e.start_date >= now() THEN e.start_date END ASC,
                 e.start_date DESC, e.id
        LIMIT $2 OFFSET $3`,
      [memberId, limit, offset],
    );
    if (page.length === 0) return [];
    const events = await this.events().findBy({ id: In(page.map((row) => row.id)) });
    const byId = new Map(events.map((event) => [event.id, event]));
    return page.flatMap(({ id, status }) => {
      const event = byId.get(id);
      return event ? [{ event, status }] : [];
    });
  }

  async countOfMember(memberId: string): Promise<number> {
    const row = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM (${MEMBER_EVENTS}) m`,
      [memberId],
    );
    return row?.total ?? 0;
  }

  async isJoinedBy(eventId: string, memberId: string): Promise<boolean> {
    const row = await queryOne<{ joined: boolean }>(
      this.dataSource,
      `SELECT EXISTS (SELECT 1 FROM events.participants
                       WHERE event_id = $1 AND member_id = $2 AND status = 'joined') AS joined`,
      [eventId, memberId],
    );
    return row?.joined ?? false;
  }

  findById(eventId: string, db?: EntityManager): Promise<EventEntity | null> {
    return this.events(db).findOneBy({ id: eventId });
  }

  /** Locks the event's row for the rest of `db`'s transaction; null when there is none. */
  lockById(eventId: string, db: EntityManager): Promise<EventEntity | null> {
    return this.events(db).findOne({
      where: { id: eventId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Inserts the event; answers its id. */
  async create(db: EntityManager, event: NewEvent): Promise<string> {
    const { identifiers } = await this.events(db).insert(event);
    return identifiers[0].id as string;
  }

  /** A start that actually moves also moves `scheduled_at` (the reminders follow the new start). */
  async applyChanges(eventId: string, changes: EventChanges, db: EntityManager): Promise<void> {
    const query = db
      .createQueryBuilder()
      .update(EventEntity)
      .set({
        ...changes,
        updatedAt: () => 'now()',
        ...(changes.startDate === undefined
          ? {}
          : {
              // The right-hand sides of SET see the row before the update: the old start.
              scheduledAt: () =>
                'CASE WHEN start_date = :newStart THEN scheduled_at ELSE now() END',
            }),
      })
      .where('id = :id', { id: eventId });
    if (changes.startDate !== undefined) query.setParameter('newStart', changes.startDate);
    await query.execute();
  }

  private events(db: EntityManager = this.dataSource.manager): Repository<EventEntity> {
    return db.getRepository(EventEntity);
  }

  private async count(condition: string): Promise<number> {
    // count(*) rather than TypeORM's COUNT(DISTINCT id): no join here, and it stays an
    // index-only scan of the partial index.
    const row = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM events.events WHERE ${condition}`,
    );
    return row?.total ?? 0;
  }
}
