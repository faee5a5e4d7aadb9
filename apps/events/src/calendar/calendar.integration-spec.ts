import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { createEventDto } from '../../test/factories/event.factory';
import { CalendarService } from './calendar.service';

describe(CalendarService.name, () => {
  let h: EventsPlatform;

  beforeAll(async () => {
    h = await startEventsPlatform();
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('renders the event as iCalendar in its own time zone', async () => {
    const event = await h.events.create(
      createEventDto({
        title: 'Breakfast, with; commas',
        start_date: '2031-12-20T08:00:00.000Z',
        end_date: '2031-12-20T10:30:00.000Z',
        timezone: 'Europe/Moscow',
      }),
    );

    const { content, filename } = await h.calendar.calendarOf({ event_id: event.id });

    expect(filename).toBe(`event-${event.id}.ics`);
    expect(content).toContain('BEGIN:VCALENDAR');
    expect(content).toContain('BEGIN:VTIMEZONE');
    expect(content).toContain('TZID:Europe/Moscow');
    expect(content).toContain('BEGIN:VEVENT');
    // 08:00 UTC is 11:00 in Moscow.
    expect(content).toContain('DTSTART;TZID=Europe/Moscow:20311220T110000');
    expect(content).toContain('DTEND;TZID=Europe/Moscow:20311220T133000');
    expect(content).toContain('SUMMARY:Breakfast\\, with\\; commas');
    expect(content).toContain(`UID:${event.id}@events.up-club`);
    // Timestamps are UTC, whatever the process's own time zone.
    expect(content).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
  });

  it('finds the VTIMEZONE of a zone under its older canonical name', async () => {
    const event = await h.events.create(
      createEventDto({ start_date: '2031-07-01T09:00:00.000Z', timezone: 'Europe/Kyiv' }),
    );
    const { content } = await h.calendar.calendarOf({ event_id: event.id });
    expect(content).toMatch(/DTSTART;TZID=Europe\/Kie?y?v:20310701T120000/);
    expect(content).toContain('BEGIN:VTIMEZONE');
  });
});
