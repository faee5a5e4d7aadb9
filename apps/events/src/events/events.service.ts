import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AdminListEventsDto,
  CreateEventDto,
  DeactivateEventDto,
  EVENT_EVENTS,
  EventActor,
  EventPage,
  EventView,
  GetEventDto,
  ListMemberEventsDto,
  ListUpcomingEventsDto,
  MemberRole,
  parseInstant,
  UpdateEventDto,
} from '@up/contracts';
import { Outbox, TransactionRunner, Tx } from '@up/database';
import { EventsConfig } from '../config/events.config';
import { SeatSettlement } from '../participation/seat-settlement.service';
import { Seat, SeatsRepository } from '../participation/seats.repository';
import { WaitlistRepository } from '../participation/waitlist.repository';
import { SingleFlight } from '../shared/single-flight';
import { EventEntity } from './event.entity';
import { rowToEventView, toEventCreatedPayload, toEventView } from './event-view';
import {
  eventNotFound,
  invalidEventField,
  notAllowedToChange,
  notAllowedToCreate,
} from './events.errors';
import { EventChanges, EventsRepository } from './events.repository';

const ROLES_THAT_CREATE: readonly MemberRole[] = [MemberRole.ORGANIZER, MemberRole.ADMIN];

/** A validated instant; the DTOs have already checked the format. */
function instant(value: string): Date {
  const date = parseInstant(value);
  if (!date) throw invalidEventField('date', `${value} is not an ISO 8601 date-time`);
  return date;
}

/** Events: listing, reading, and their lifecycle (create, update, deactivate). */
@Injectable()
export class EventsService {
  private readonly upcomingTotal = new SingleFlight<number>();

  constructor(
    private readonly events: EventsRepository,
    private readonly transactions: TransactionRunner,
    private readonly config: EventsConfig,
    private readonly outbox: Outbox,
    private readonly seats: SeatsRepository,
    private readonly waitlist: WaitlistRepository,
    private readonly settlement: SeatSettlement,
  ) {}

  /**
   * Active events that have not started, soonest first (ties by id, so pages never overlap).
   * Both queries walk the partial index `events_upcoming_idx`.
   */
  async listUpcoming({ limit, offset }: ListUpcomingEventsDto): Promise<EventPage> {
    const [rows, total] = await Promise.all([
      this.events.upcomingPage({ limit, offset }),
      this.upcomingTotal.run(() => this.events.countUpcoming()),
    ]);
    return { events: rows.map((row) => rowToEventView(row)), total, limit, offset };
  }

  /** Every event, inactive and past ones too, latest start first. */
  async adminList({ limit, offset }: AdminListEventsDto): Promise<EventPage> {
    const [events, total] = await Promise.all([
      this.events.findLatestFirst({ limit, offset }),
      this.events.countAll(),
    ]);
    return { events: events.map((e) => toEventView(e)), total, limit, offset };
  }

  /**
   * The events a member is in, waits for, or was refunded by a cancellation, each with that
   * `status`: upcoming ones soonest first, then past ones latest first.
   */
  async listMemberEvents({ member_id, limit, offset }: ListMemberEventsDto): Promise<EventPage> {
    const [page, total] = await Promise.all([
      this.events.findOfMember({ memberId: member_id, limit, offset }),
      this.events.countOfMember(member_id),
    ]);
    return {
      events: page.map(({ event, status }) => ({
        ...toEventView(event, status === 'joined'),
        status,
      })),
      total,
      limit,
      offset,
    };
  }

  /** One event with its waitlist's length, and for a known caller their seat and place in line. */
  async get({ event_id, member_id }: GetEventDto): Promise<EventView> {
    if (member_id === undefined) {
      const row = await this.events.findWithWaitlistCount(event_id);
      if (!row) throw eventNotFound(event_id);
      return { ...rowToEventView(row), waitlist_count: row.waitlist_count };
    }
    const db = this.transactions.manager;
    const [row, joined, position] = await Promise.all([
      this.events.findWithWaitlistCount(event_id),
      this.events.isJoinedBy(event_id, member_id),
      this.waitlist.positionOf(db, event_id, member_id),
    ]);
    if (!row) throw eventNotFound(event_id);
    return {
      ...rowToEventView(row, joined),
      waitlist_count: row.waitlist_count,
      waitlist_position: position,
    };
  }

  async findOrFail(eventId: string, db?: EntityManager): Promise<EventEntity> {
    const event = await this.events.findById(eventId, db);
    if (!event) throw eventNotFound(eventId);
    return event;
  }

  async create(dto: CreateEventDto): Promise<EventView> {
    if (!ROLES_THAT_CREATE.includes(dto.actor_role)) throw notAllowedToCreate();
    const event = await this.transactions.run(async (tx) => {
      const id = await this.events.create(tx.manager, {
        title: dto.title.trim(),
        description: dto.description ?? null,
        startDate: instant(dto.start_date),
        endDate: dto.end_date ? instant(dto.end_date) : null,
        location: dto.location ?? null,
        price: dto.price ?? 0,
        imageUrl: dto.image_url ?? null,
        capacity: dto.capacity ?? null,
        isActive: dto.is_active ?? true,
        creatorId: dto.actor_id,
        timezone: dto.timezone ?? this.config.DEFAULT_EVENT_TIMEZONE,
      });
      const created = await this.findOrFail(id, tx.manager);
      await this.outbox.publish(tx, EVENT_EVENTS.CREATED, toEventCreatedPayload(created));
      return created;
    });
    this.upcomingTotal.invalidate();
    return toEventView(event);
  }

  /**
   * Changes the given fields. The row is locked meanwhile, so the capacity check sees the seats
   * actually taken (joins change `seats_taken` under the same row lock). A new start or place is
   * announced (`event.rescheduled`); seats added by a larger capacity go to the waitlist first.
   */
  async update(dto: UpdateEventDto): Promise<EventView> {
    let offered: Seat[] = [];
    const view = await this.transactions.run(async (tx) => {
      const { manager } = tx;
      const event = await this.lockForChange(manager, dto);
      const changes: EventChanges = {};
      if (dto.title !== undefined) changes.title = dto.title.trim();
      if (dto.description !== undefined) changes.description = dto.description;
      if (dto.start_date !== undefined) changes.startDate = instant(dto.start_date);
      if (dto.end_date !== undefined) changes.endDate = dto.end_date ? instant(dto.end_date) : null;
      if (dto.location !== undefined) changes.location = dto.location;
      if (dto.price !== undefined) changes.price = dto.price;
      if (dto.image_url !== undefined) changes.imageUrl = dto.image_url;
      if (dto.capacity !== undefined) changes.capacity = dto.capacity;
      if (dto.is_active !== undefined) changes.isActive = dto.is_active;
      if (dto.timezone !== undefined) changes.timezone = dto.timezone;

      const next = { ...event, ...changes };
      if (next.endDate && next.endDate.getTime() < next.startDate.getTime()) {
        throw invalidEventField('end_date', 'end_date must not be before start_date');
      }
      if (next.capacity !== null && next.capacity < event.seatsTaken) {
        throw invalidEventField(
          'capacity',
          `capacity must not be below the ${event.seatsTaken} seats already taken`,
        );
      }
      if (Object.keys(changes).length > 0) {
        await this.events.applyChanges(event.id, changes, manager);
      }
      await this.announceReschedule(tx, event, next);
      offered = await this.settlement.offerFreedSeats(tx, event.id);
      return toEventView(await this.findOrFail(event.id, manager));
    });
    this.upcomingTotal.invalidate();
    await this.settlement.settlePromotions(offered);
    return view;
  }

  /**
   * Takes the event off the listings. Before its start this cancels it: every seated participant
   * becomes `cancelled` with the refund owed, the waitlist is released and `event.cancelled` is
   * written, all under the event's lock in one transaction; the refunds are paid after the commit
   * (the recovery sweep pays any that fail). A join being paid for meanwhile finds the event
   * inactive at its confirmation and is refunded there. A past event is only deactivated.
   */
  async deactivate(dto: DeactivateEventDto): Promise<EventView> {
    const { view, cancelled } = await this.transactions.run(async (tx) => {
      const { manager } = tx;
      const event = await this.lockForChange(manager, dto);
      if (event.isActive) await this.events.applyChanges(event.id, { isActive: false }, manager);
      let refunded: Seat[] = [];
      if (event.startDate.getTime() > Date.now()) {
        refunded = await this.seats.cancelJoined(manager, event.id);
        const released = await this.waitlist.releaseAll(manager, event.id);
        if (event.isActive || refunded.length > 0 || released.length > 0) {
          await this.outbox.publish(tx, EVENT_EVENTS.CANCELLED, {
            event_id: event.id,
            title: event.title,
            start_date: event.startDate.toISOString(),
            refunded_member_ids: refunded.map((seat) => seat.memberId),
            released_waitlist_member_ids: released,
          });
        }
      }
      return {
        view: toEventView(await this.findOrFail(event.id, manager)),
        cancelled: refunded,
      };
    });
    this.upcomingTotal.invalidate();
    await Promise.all(cancelled.map((seat) => this.settlement.refund(seat)));
    return view;
  }

  private async announceReschedule(tx: Tx, before: EventEntity, after: EventEntity): Promise<void> {
    const moved = before.startDate.getTime() !== after.startDate.getTime();
    if (!moved && before.location === after.location) return;
    await this.outbox.publish(tx, EVENT_EVENTS.RESCHEDULED, {
      event_id: before.id,
      title: after.title,
      old_start_date: before.startDate.toISOString(),
      new_start_date: after.startDate.toISOString(),
      old_location: before.location,
      new_location: after.location,
      timezone: after.timezone,
    });
  }

  private async lockForChange(
    manager: EntityManager,
    dto: EventActor & { event_id: string },
  ): Promise<EventEntity> {
    const event = await this.events.lockById(dto.event_id, manager);
    if (!event) throw eventNotFound(dto.event_id);
    if (dto.actor_role !== MemberRole.ADMIN && event.creatorId !== dto.actor_id) {
      throw notAllowedToChange();
    }
    return event;
  }
}
