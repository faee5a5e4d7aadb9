/** One configured reminder offset: how long before an event's start its reminder is due. */
export interface ReminderOffset {
  /** As written in EVENT_REMINDER_OFFSETS, e.g. `24h`; travels in `event.reminder_due`. */
  label: string;
  ms: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9]\d{0,5})(s|m|h|d)$/;

/**
 * Parses EVENT_REMINDER_OFFSETS: comma-separated durations `<n>s|m|h|d` (`90s`, `15m`, `2h`,
 * `1d`), each a distinct length of time. Hand-written rather than the `ms` package: the grammar
 * here is deliberately strict (no `1.5h`, no `2 hours`, no negative values), and it is this much.
 * Throws an Error naming the bad item; answers the offsets longest first.
 */
export function parseReminderOffsets(text: string): ReminderOffset[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('needs at least one duration such as 24h');
  const offsets = items.map((label) => {
    const match = DURATION.exec(label);
    if (!match) {
      throw new Error(`"${label}" is not a duration such as 90s, 15m, 2h or 1d`);
    }
    return { label, ms: Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] };
  });
  const seen = new Set<number>();
  for (const offset of offsets) {
    if (seen.has(offset.ms)) throw new Error(`"${offset.label}" repeats an earlier duration`);
    seen.add(offset.ms);
  }
  return offsets.sort((a, b) => b.ms - a.ms);
}

/** Whether `text` parses (for the config's validation). */
export function reminderOffsetsProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'must be a list of durations such as 24h,1h';
  try {
    parseReminderOffsets(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
