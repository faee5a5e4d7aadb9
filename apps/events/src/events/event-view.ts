import { EventCreatedPayload, EventView } from '@up/contracts';
import { EventEntity } from './event.entity';
import type { EventRow } from './events.repository';

/** Seats left; null when the event has no capacity limit. */
export function spotsLeft(event: Pick<EventEntity, 'capacity' | 'seatsTaken'>): number | null {
  return event.capacity === null ? null : Math.max(event.capacity - event.seatsTaken, 0);
}

/** The event as clients see it; `joined` only when the caller is known. */
export function toEventView(event: EventEntity, joined?: boolean): EventView {
  return {
    id: event.id,
    title: event.title,
    description: event.description,
    start_date: event.startDate.toISOString(),
    end_date: event.endDate ? event.endDate.toISOString() : null,
    location: event.location,
    price: event.price,
    image_url: event.imageUrl,
    capacity: event.capacity,
    is_active: event.isActive,
    creator_id: event.creatorId,
    created_at: event.createdAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
    timezone: event.timezone,
    participants_count: event.seatsTaken,
    spots_left: spotsLeft(event),
    ...(joined === undefined ? {} : { joined }),
  };
}

/** `toEventView` of a raw row (the hot reads skip entity hydration). */
export function rowToEventView(row: EventRow, joined?: boolean): EventView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    start_date: row.start_date.toISOString(),
    end_date: row.end_date ? row.end_date.toISOString() : null,
    location: row.location,
    price: row.price,
    image_url: row.image_url,
    capacity: row.capacity,
    is_active: row.is_active,
    creator_id: row.creator_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    timezone: row.timezone,
    participants_count: row.seats_taken,
    spots_left: spotsLeft({ capacity: row.capacity, seatsTaken: row.seats_taken }),
    ...(joined === undefined ? {} : { joined }),
  };
}

export function toEventCreatedPayload(event: EventEntity): EventCreatedPayload {
  return {
    event_id: event.id,
    title: event.title,
    start_date: event.startDate.toISOString(),
    end_date: event.endDate ? event.endDate.toISOString() : null,
    timezone: event.timezone,
    location: event.location,
    price: event.price,
    capacity: event.capacity,
    is_active: event.isActive,
    creator_id: event.creatorId,
    created_at: event.createdAt.toISOString(),
  };
}
