import { IsInt, Min, ValidateBy } from 'class-validator';
import { DatabaseEnv } from '@up/config';
import { ToInt } from '@up/contracts';
import {
  parseReminderOffsets,
  ReminderOffset,
  reminderOffsetsProblem,
} from '../reminders/reminder-offsets';

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The events service: events and their participants. */
export class EventsConfig extends DatabaseEnv {
  /**
   * Messages one replica handles at once: more than the other services' 32, because the joins,
   * confirmations and leaves of one event that are in flight together share one transaction
   * (group commit), so a rush is cheaper the more of it is in flight; most of a join's time is
   * spent waiting for the users service and the event's lock, not on this replica's CPU.
   */
  override BUS_CONCURRENCY = 256;

  /** IANA time zone in which event times are shown when an event has none of its own. */
  @ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: isTimeZone,
      defaultMessage: () =>
        'DEFAULT_EVENT_TIMEZONE must be an IANA time zone such as Europe/Moscow',
    },
  })
  DEFAULT_EVENT_TIMEZONE = 'Europe/Moscow';

  /** How often each replica sweeps joins and refunds left unsettled by a crash or a timeout (0: never). */
  @ToInt()
  @IsInt()
  @Min(0)
  JOIN_RECOVERY_INTERVAL_MS = 15000;

  /** A join pending (or a refund due) for longer than this is settled by the sweep; well above BUS_REQUEST_TIMEOUT_MS. */
  @ToInt()
  @IsInt()
  @Min(0)
  JOIN_RECOVERY_GRACE_MS = 60000;

  /**
   * How long before an event's start its participants are reminded: comma-separated durations
   * such as `90s`, `15m`, `2h`, `1d`.
   */
  @ValidateBy({
    name: 'isReminderOffsets',
    validator: {
      validate: (value: unknown) => reminderOffsetsProblem(value) === undefined,
      defaultMessage: (args) =>
        `EVENT_REMINDER_OFFSETS ${reminderOffsetsProblem(args?.value) ?? 'is invalid'} (e.g. 24h,1h)`,
    },
  })
  EVENT_REMINDER_OFFSETS = '24h,1h';

  /** How often each replica looks for due reminders (0: never). */
  @ToInt()
  @IsInt()
  @Min(0)
  EVENT_REMINDER_INTERVAL_MS = 30000;

  /** EVENT_REMINDER_OFFSETS parsed, longest first. */
  get reminderOffsets(): ReminderOffset[] {
    return parseReminderOffsets(this.EVENT_REMINDER_OFFSETS);
  }
}
