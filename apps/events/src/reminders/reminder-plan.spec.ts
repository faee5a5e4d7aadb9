import { planReminders } from './reminder-plan';
import { parseReminderOffsets } from './reminder-offsets';

const HOUR = 3_600_000;
const offsets = parseReminderOffsets('24h,1h');
const [day, hour] = offsets;
const start = new Date('2031-05-01T19:00:00Z');
const before = (ms: number) => new Date(start.getTime() - ms);

describe(planReminders.name, () => {
  it('sends nothing before the first reminder is due', () => {
    expect(
      planReminders({
        now: before(25 * HOUR),
        startDate: start,
        scheduledAt: before(100 * HOUR),
        offsets,
        done: new Set(),
      }),
    ).toEqual({ send: null, skip: [] });
  });

  it('sends the 24 h reminder once due, then the 1 h one', () => {
    const base = { startDate: start, scheduledAt: before(100 * HOUR), offsets };
    expect(planReminders({ ...base, now: before(24 * HOUR - 1), done: new Set() })).toEqual({
      send: day,
      skip: [],
    });
    expect(planReminders({ ...base, now: before(HOUR), done: new Set([day.ms]) })).toEqual({
      send: hour,
      skip: [],
    });
    expect(planReminders({ ...base, now: before(1), done: new Set([day.ms, hour.ms]) })).toEqual({
      send: null,
      skip: [],
    });
  });

  it('never sends a reminder that was already due when the event got its start', () => {
    expect(
      planReminders({
        now: before(3 * HOUR),
        startDate: start,
        scheduledAt: before(3 * HOUR + 5000),
        offsets,
        done: new Set(),
      }),
    ).toEqual({ send: null, skip: [day] });
  });

  it('sends only the reminder nearest the start when several are due at once', () => {
    expect(
      planReminders({
        now: before(HOUR / 2),
        startDate: start,
        scheduledAt: before(100 * HOUR),
        offsets,
        done: new Set(),
      }),
    ).toEqual({ send: hour, skip: [day] });
  });
});
