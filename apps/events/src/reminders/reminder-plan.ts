import type { ReminderOffset } from './reminder-offsets';

/** What the sweep does with an event's reminders that are due and not yet dealt with. */
export interface ReminderPlan {
  /** The reminder to send now, if any. */
  send: ReminderOffset | null;
  /** Reminders to record as dealt with, without a message. */
  skip: ReminderOffset[];
}

/**
 * THE REMINDER RULE. For an active event that has not started, the reminder at `offset` is due at
 * `start_date - offset`. Once due, and not yet dealt with for this start date:
 * - it is sent if it fell due after the event got its current start (`scheduledAt`: creation or
 *   the last reschedule). One that was already due then is never sent late: an event created (or
 *   moved) 3 h before its start gets its 1 h reminder, not its 24 h one;
 * - of several sendable reminders due at once (after the service was down, or a sweep missed), only
 *   the one nearest the start is sent: "in 1 hour" makes "tomorrow" pointless;
 * - every other due reminder is recorded as skipped.
 * Each reminder names the participants joined when it is sent who had joined by its due time, so
 * a member who joins after a reminder's time does not get that reminder late.
 * A reschedule gives the event a new start and a new `scheduledAt`: reminders are recorded per
 * start date, so those of the new start whose due time is still ahead are armed again.
 */
export function planReminders(args: {
  now: Date;
  startDate: Date;
  scheduledAt: Date;
  /** The configured offsets. */
  offsets: readonly ReminderOffset[];
  /** Offsets (ms) already dealt with for this start date. */
  done: ReadonlySet<number>;
}): ReminderPlan {
  const start = args.startDate.getTime();
  const due = args.offsets.filter(
    (offset) => !args.done.has(offset.ms) && start - offset.ms <= args.now.getTime(),
  );
  const sendable = due
    .filter((offset) => start - offset.ms >= args.scheduledAt.getTime())
    .sort((a, b) => a.ms - b.ms);
  const send = sendable[0] ?? null;
  return { send, skip: due.filter((offset) => offset !== send) };
}
