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
import { TransactionRunner } from '@up/database';
import { EventsConfig } from '../config/events.config';
import { EventPublisher } from '../shared/event-publisher';
import { SingleFlight } from '../shared/single-flight';
import { EventEntity } from './event.entity';
import { toEventCreatedPayload, toEventView } from './event-view';
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
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Active events that have not started, soonest first (ties by id, so pages never overlap).
   * Both queries walk the partial index `events_upcoming_idx`.
   */
  async listUpcoming({ limit, offset }: ListUpcomingEventsDto): Promise<EventPage> {
    const [events, total] = await Promise.all([
      this.events.findUpcoming({ limit, offset }),
      this.upcomingTotal.run(() => this.events.countUpcoming()),
    ]);
    return { events: events.map((e) => toEventView(e)), total, limit, offset };
  }

  /** Every event, inactive and past ones too, latest start first. */
  async adminList({ limit, offset }: AdminListEventsDto): Promise<EventPage> {
    const [events, total] = await Promise.all([
      this.events.findLatestFirst({ limit, offset }),
      this.events.countAll(),
    ]);
    return { events: events.map((e) => toEventView(e)), total, limit, offset };
  }

  /** The events a member is in: upcoming ones soonest first, then past ones latest first. */
  async listMemberEvents({ member_id, limit, offset }: ListMemberEventsDto): Promise<EventPage> {
    const [events, total] = await Promise.all([
      this.events.findJoinedBy({ memberId: member_id, limit, offset }),
      this.events.countJoinedBy(member_id),
    ]);
    return { events: events.map((e) => toEventView(e, true)), total, limit, offset };
  }

  async get({ event_id, member_id }: GetEventDto): Promise<EventView> {
    const event = await this.findOrFail(event_id);
    if (member_id === undefined) return toEventView(event);
    return toEventView(event, await this.events.isJoinedBy(event_id, member_id));
  }

  async findOrFail(eventId: string, db?: EntityManager): Promise<EventEntity> {
    const event = await this.events.findById(eventId, db);
    if (!event) throw eventNotFound(eventId);
    return event;
  }

  async create(dto: CreateEventDto): Promise<EventView> {
    if (!ROLES_THAT_CREATE.includes(dto.actor_role)) throw notAllowedToCreate();
    const id = await this.events.create({
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
    this.upcomingTotal.invalidate();
    const event = await this.findOrFail(id);
    await this.publisher.publish(EVENT_EVENTS.CREATED, toEventCreatedPayload(event));
    return toEventView(event);
  }

  /**
   * Changes the given fields. The row is locked meanwhile, so the capacity check sees the seats
   * actually taken (joins change `seats_taken` under the same row lock).
   */
  async update(dto: UpdateEventDto): Promise<EventView> {
    const view = await this.transactions.run(async ({ manager }) => {
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
      return toEventView(await this.findOrFail(event.id, manager));
    });
    this.upcomingTotal.invalidate();
    return view;
  }

  /** Takes the event off the listings; joining stops, members already in may still leave. */
  async deactivate(dto: DeactivateEventDto): Promise<EventView> {
    const view = await this.transactions.run(async ({ manager }) => {
      const event = await this.lockForChange(manager, dto);
      if (event.isActive) await this.events.applyChanges(event.id, { isActive: false }, manager);
      return toEventView(await this.findOrFail(event.id, manager));
    });
    this.upcomingTotal.invalidate();
    return view;
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
