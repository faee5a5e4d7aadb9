import { Injectable } from '@nestjs/common';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import dayjs from 'dayjs';
import timezonePlugin from 'dayjs/plugin/timezone';
import utcPlugin from 'dayjs/plugin/utc';
import ical, { ICalEventStatus } from 'ical-generator';
import { EventCalendar, GetEventCalendarDto } from '@up/contracts';
import { EventEntity } from '../events/event.entity';
import { EventsService } from '../events/events.service';

dayjs.extend(utcPlugin);
dayjs.extend(timezonePlugin);

/** Events without an end are shown this long in calendars. */
const DEFAULT_DURATION_MS = 60 * 60 * 1000;

/**
 * The VTIMEZONE of a zone, trying the name as given and then ICU's canonical name for it (the
 * zone database's newer names, e.g. Europe/Kyiv, are not all in the VTIMEZONE set yet).
 */
function vtimezoneOf(zone: string): { tzid: string; component: string } | null {
  const canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  for (const tzid of [zone, canonical]) {
    const component = getVtimezoneComponent(tzid);
    if (component) return { tzid, component };
  }
  return null;
}

/** An event as an RFC 5545 iCalendar document, in the event's own time zone. */
@Injectable()
export class CalendarService {
  constructor(private readonly events: EventsService) {}

  async calendarOf({ event_id }: GetEventCalendarDto): Promise<EventCalendar> {
    const event = await this.events.findOrFail(event_id);
    return { filename: `event-${event.id}.ics`, content: renderEvent(event) };
  }
}

export function renderEvent(event: EventEntity): string {
  const calendar = ical({
    prodId: { company: 'UP Club', product: 'events', language: 'EN' },
    name: event.title,
  });
  const zone = vtimezoneOf(event.timezone);
  if (zone) {
    // No calendar-wide zone (name null): DTSTAMP, CREATED and LAST-MODIFIED stay UTC as RFC 5545
    // wants; the generator still writes the VTIMEZONE of the event's zone, which the event's
    // DTSTART;TZID=<zone>:<local time> refers to.
    calendar.timezone({ name: null, generator: (tzid) => getVtimezoneComponent(tzid) });
    calendar.x('X-WR-TIMEZONE', zone.tzid);
  }
  const end = event.endDate ?? new Date(event.startDate.getTime() + DEFAULT_DURATION_MS);
  // dayjs objects carry the zone, so the local wall-clock time written is the zone's; without a
  // VTIMEZONE the times are written in UTC instead (still exact, just not local).
  const at = (date: Date) => (zone ? dayjs(date).tz(zone.tzid) : date);
  calendar.createEvent({
    id: `${event.id}@events.up-club`,
    start: at(event.startDate),
    end: at(end),
    timezone: zone?.tzid ?? null,
    stamp: event.updatedAt,
    created: event.createdAt,
    lastModified: event.updatedAt,
    summary: event.title,
    description: event.description ?? undefined,
    location: event.location ?? undefined,
    // A deactivated event stays in calendars that imported it, marked as cancelled.
    status: event.isActive ? ICalEventStatus.CONFIRMED : ICalEventStatus.CANCELLED,
  });
  return calendar.toString();
}
