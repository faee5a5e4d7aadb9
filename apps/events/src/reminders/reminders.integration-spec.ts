import Redis from 'ioredis';
import { BusKeys } from '@up/bus';
import { EVENT_EVENTS, MemberRole, ReminderDuePayload } from '@up/contracts';
import { OutboxRelay } from '@up/database';
import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { ReminderSweep } from './reminder-sweep.service';

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/**
 * The reminder sweep on two events replicas, each sweeping every 100 ms. Offsets of seconds let
 * reminders fall due while the test waits; the `1d` offset is driven by moving rows in time.
 */
describe(ReminderSweep.name, () => {
  let h: EventsPlatform;
  let redis: Redis;

  beforeAll(async () => {
    h = await startEventsPlatform({
      replicas: 2,
      eventsEnv: { EVENT_REMINDER_OFFSETS: '1d,2s,1s', EVENT_REMINDER_INTERVAL_MS: '100' },
    });
    redis = new Redis(h.platform.env.REDIS_URL);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await h?.close();
  });

  /** Every `event.reminder_due` of the event that went out on the bus, once the outbox is empty. */
  async function remindersOf(eventId: string): Promise<(ReminderDuePayload & { id: string })[]> {
    const relay = h.app.get(OutboxRelay);
    while ((await relay.lag()).unsent > 0) await new Promise((r) => setTimeout(r, 20));
    const stream = new BusKeys(h.platform.env.REDIS_KEY_PREFIX).eventStream(
      EVENT_EVENTS.REMINDER_DUE,
    );
    const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
    return entries
      .map(([, fields]) => {
        const wire = JSON.parse(fields[fields.indexOf('m') + 1]) as {
          e: string;
          d: ReminderDuePayload;
        };
        return { ...wire.d, id: wire.e };
      })
      .filter((reminder) => reminder.event_id === eventId);
  }

  const waitForReminder = (eventId: string, offset: string, startDate?: string) =>
    h.published.waitFor(
      EVENT_EVENTS.REMINDER_DUE,
      (r) =>
        r.event_id === eventId &&
        r.offset === offset &&
        (startDate === undefined || r.start_date === startDate),
      15_000,
    );

  /** Both replicas sweep at once, twice: whatever is due is dealt with by now. */
  async function sweepEverywhere(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      await Promise.all(h.replicas.map((replica) => replica.reminders.sweep()));
    }
  }

  async function join(eventId: string, memberId: string): Promise<void> {
    await h.participation.join({ event_id: eventId, member_id: memberId });
  }

  it('emits each reminder once per (event, offset) across two replicas, naming the participants', async () => {
    const event = await h.newEvent({ start_date: inSeconds(4), location: 'Club house' });
    const [a, b] = await Promise.all([h.member(), h.member()]);
    await join(event.id, a);
    await join(event.id, b);

    await waitForReminder(event.id, '2s');
    await waitForReminder(event.id, '1s');
    await sweepEverywhere();

    const reminders = await remindersOf(event.id);
    expect(reminders.map((r) => r.offset).sort()).toEqual(['1s', '2s']);
    for (const reminder of reminders) {
      expect(reminder).toMatchObject({
        title: event.title,
        start_date: event.start_date,
        timezone: event.timezone,
        location: 'Club house',
        offset_ms: reminder.offset === '2s' ? 2000 : 1000,
      });
      expect(reminder.member_ids).toEqual([a, b]);
    }
    // Created 4 s before its start: the day-before reminder was already due, so never sent.
    expect(
      await h.sql(
        `SELECT offset_label, outcome FROM events.reminders_sent WHERE event_id = $1 ORDER BY offset_ms`,
        [event.id],
      ),
    ).toEqual([
      { offset_label: '1s', outcome: 'sent' },
      { offset_label: '2s', outcome: 'sent' },
      { offset_label: '1d', outcome: 'skipped' },
    ]);
  });

  it('does not remind a member who joined after the reminder fell due', async () => {
    // Far off at first, so no sweep touches it while the members join.
    const event = await h.newEvent({ start_date: inSeconds(7 * 86_400) });
    const [early, late] = await Promise.all([h.member(), h.member()]);
    await join(event.id, early);
    await join(event.id, late);
    // As if created yesterday for tomorrow 23 h from now, `early` joining 2 h ago and `late` just
    // now: the day-before reminder fell due an hour ago, between the two.
    await h.sql(
      `UPDATE events.participants SET joined_at = now() - interval '2 hours'
        WHERE event_id = $1 AND member_id = $2`,
      [event.id, early],
    );
    await h.sql(
      `UPDATE events.events
          SET start_date = now() + interval '23 hours', scheduled_at = now() - interval '1 day'
        WHERE id = $1`,
      [event.id],
    );

    const reminder = await waitForReminder(event.id, '1d');
    expect(reminder.member_ids).toEqual([early]);
    await sweepEverywhere();
    expect(await remindersOf(event.id)).toHaveLength(1);
  });

  it('never sends a reminder late for an event created after its time', async () => {
    const event = await h.newEvent({ start_date: inSeconds(23 * 3600) });
    await join(event.id, await h.member());

    await sweepEverywhere();

    expect(await remindersOf(event.id)).toEqual([]);
    expect(
      await h.sql(`SELECT outcome FROM events.reminders_sent WHERE event_id = $1`, [event.id]),
    ).toEqual([{ outcome: 'skipped' }]);
  });

  it('arms the reminders again when the event is moved, unless their new time has passed', async () => {
    const event = await h.newEvent({ start_date: inSeconds(3) });
    const member = await h.member();
    await join(event.id, member);
    const first = await waitForReminder(event.id, '2s');

    const moved = await h.events.update({
      event_id: event.id,
      start_date: inSeconds(4),
      actor_id: event.creator_id,
      actor_role: MemberRole.ADMIN,
    });
    const again = await waitForReminder(event.id, '2s', moved.start_date);
    expect(again.member_ids).toEqual([member]);
    expect(again.start_date).not.toBe(first.start_date);

    // Moved to 23 h from now: the day-before reminder's new time has already passed.
    const later = await h.events.update({
      event_id: event.id,
      start_date: inSeconds(23 * 3600),
      actor_id: event.creator_id,
      actor_role: MemberRole.ADMIN,
    });
    await sweepEverywhere();
    const reminders = await remindersOf(event.id);
    expect(reminders.filter((r) => r.start_date === later.start_date)).toEqual([]);
    expect(reminders.filter((r) => r.offset === '2s')).toHaveLength(2);
  });
});
