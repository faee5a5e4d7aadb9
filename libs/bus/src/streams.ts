import type { RedisClient } from '@up/config';
import { isBusyGroupError } from './redis-connection';

/**
 * Thin typed wrappers over the Redis Streams commands the bus uses. ioredis types these commands
 * as `unknown` (their replies are nested arrays); the parsing lives here, once.
 */

/** One entry handed to this replica. `fields` is null when the entry was trimmed while pending. */
export interface StreamEntry {
  stream: string;
  id: string;
  fields: string[] | null;
  /** Times Redis has delivered it: 1 for a new entry, read from XPENDING for a re-delivery. */
  deliveries: number;
}

/** XADD bounded with `MAXLEN ~` so every stream stays near its configured length. */
export function addBounded(
  redis: RedisClient,
  entry: { stream: string; maxLen: number; fields: string[] },
): Promise<unknown> {
  return redis.call('XADD', entry.stream, 'MAXLEN', '~', entry.maxLen, '*', ...entry.fields);
}

/** Creates the group (and the stream) unless it exists; `startId` '$' skips history, '0' reads it. */
export async function ensureGroup(
  redis: RedisClient,
  group: { stream: string; name: string; startId: '$' | '0' },
): Promise<void> {
  try {
    await redis.call('XGROUP', 'CREATE', group.stream, group.name, group.startId, 'MKSTREAM');
  } catch (error) {
    if (!isBusyGroupError(error)) throw error;
  }
}

function parseEntries(stream: string, raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry) => {
    const [id, fields] = entry as [string, string[] | null];
    return { stream, id, fields: Array.isArray(fields) ? fields : null, deliveries: 1 };
  });
}

/** Parses an XREADGROUP reply: `[[stream, [[id, fields], ...]], ...]` or null after BLOCK. */
export function parseReadReply(raw: unknown): Map<string, StreamEntry[]> {
  const byStream = new Map<string, StreamEntry[]>();
  if (!Array.isArray(raw)) return byStream;
  for (const item of raw) {
    const [stream, entries] = item as [string, unknown];
    byStream.set(stream, parseEntries(stream, entries));
  }
  return byStream;
}

export interface ReadGroupArgs {
  group: string;
  consumer: string;
  count: number;
  /** Omit for a non-blocking read. */
  blockMs?: number;
  /** stream → id ('>' for new entries, an id to re-read this consumer's pending ones). */
  cursors: ReadonlyArray<readonly [string, string]>;
}

export async function readGroup(
  redis: RedisClient,
  args: ReadGroupArgs,
): Promise<Map<string, StreamEntry[]>> {
  const block = args.blockMs === undefined ? [] : ['BLOCK', args.blockMs];
  const raw = await redis.call(
    'XREADGROUP',
    'GROUP',
    args.group,
    args.consumer,
    'COUNT',
    args.count,
    ...block,
    'STREAMS',
    ...args.cursors.map(([stream]) => stream),
    ...args.cursors.map(([, id]) => id),
  );
  return parseReadReply(raw);
}

/**
 * XAUTOCLAIM: takes over entries pending longer than `minIdleMs` on any consumer. Entries whose
 * message was trimmed meanwhile are dropped from the pending list by Redis and not returned.
 */
export async function autoClaim(
  redis: RedisClient,
  args: {
    stream: string;
    group: string;
    consumer: string;
    minIdleMs: number;
    start: string;
    count: number;
  },
): Promise<{ next: string; entries: StreamEntry[] }> {
  const raw = (await redis.call(
    'XAUTOCLAIM',
    args.stream,
    args.group,
    args.consumer,
    args.minIdleMs,
    args.start,
    'COUNT',
    args.count,
  )) as [string, unknown, unknown?];
  return {
    next: raw[0],
    entries: parseEntries(args.stream, raw[1]).filter((e) => e.fields !== null),
  };
}

/**
 * How many times each of `ids` (pending on `consumer`, ascending) has been delivered. Redis counts
 * every delivery of an entry, which is what the dead-letter decision needs.
 */
export async function deliveryCounts(
  redis: RedisClient,
  args: { stream: string; group: string; consumer: string; ids: string[] },
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (args.ids.length === 0) return counts;
  const raw = (await redis.call(
    'XPENDING',
    args.stream,
    args.group,
    args.ids[0],
    args.ids[args.ids.length - 1],
    args.ids.length,
    args.consumer,
  )) as Array<[string, string, number, number]>;
  for (const [id, , , deliveries] of raw) counts.set(id, Number(deliveries));
  return counts;
}

/**
 * Resets the idle time of entries this consumer is still working on (XCLAIM ... JUSTID does not
 * count as a delivery), so no other replica's reclaimer takes them over. Returns the ids still
 * pending.
 */
export async function touch(
  redis: RedisClient,
  args: { stream: string; group: string; consumer: string; ids: string[] },
): Promise<string[]> {
  if (args.ids.length === 0) return [];
  const raw = await redis.call(
    'XCLAIM',
    args.stream,
    args.group,
    args.consumer,
    0,
    ...args.ids,
    'JUSTID',
  );
  return Array.isArray(raw) ? (raw as string[]) : [];
}

export function ack(
  redis: RedisClient,
  args: { stream: string; group: string; ids: string[] },
): Promise<unknown> {
  return redis.call('XACK', args.stream, args.group, ...args.ids);
}

/** XDEL: removes handled entries (a request stream's, once acknowledged). */
export function deleteEntries(
  redis: RedisClient,
  args: { stream: string; ids: string[] },
): Promise<unknown> {
  return redis.call('XDEL', args.stream, ...args.ids);
}
