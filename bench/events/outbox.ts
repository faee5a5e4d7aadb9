import type Redis from 'ioredis';
import { Client } from 'pg';
import { BusKeys } from '@up/bus';
import { LatencyRecorder, LatencySummary } from '../lib';

/** One event entry on a bus stream: when its transaction ran and when Redis stored it. */
export interface StreamEvent {
  name: string;
  eventId: string;
  /** `occurred_at` of the envelope (the outbox row's, i.e. its transaction's `now()`), epoch ms. */
  occurredAtMs: number;
  /** The entry id's time part: when Redis stored the entry, epoch ms. */
  arrivedAtMs: number;
}

const PAGE = 1000;

function entryTimeMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** The names of the event streams under `prefix` whose event names match `namePattern` (glob). */
async function eventStreams(redis: Redis, prefix: string, namePattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(
      cursor,
      'MATCH',
      new BusKeys(prefix).eventStream(namePattern),
      'COUNT',
      1000,
    );
    cursor = next;
    for (const key of found) keys.add(key);
  } while (cursor !== '0');
  return [...keys];
}

/**
 * Every event entry of the streams matching `namePattern` that Redis stored at or after
 * `sinceMs`, with the envelope's event id and `occurred_at` (entries without them are skipped).
 */
export async function streamEvents(
  redis: Redis,
  prefix: string,
  namePattern: string,
  sinceMs: number,
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  // What BusKeys puts around an event name, to read the name back from a stream's key.
  const [before, after] = new BusKeys(prefix).eventStream('\n').split('\n');
  for (const stream of await eventStreams(redis, prefix, namePattern)) {
    const name = stream.slice(before.length, stream.length - after.length);
    let start = `${Math.floor(sinceMs)}-0`;
    for (;;) {
      const page = await redis.xrange(stream, start, '+', 'COUNT', PAGE);
      for (const [id, fields] of page) {
        const wire = JSON.parse(fields[1] ?? 'null') as { e?: unknown; o?: unknown } | null;
        if (typeof wire?.e !== 'string' || typeof wire.o !== 'string') continue;
        events.push({
          name,
          eventId: wire.e,
          occurredAtMs: Date.parse(wire.o),
          arrivedAtMs: entryTimeMs(id),
        });
      }
      if (page.length < PAGE) break;
      start = `(${page[page.length - 1][0]}`;
    }
  }
  return events;
}

/** Outbox lag per event: from `occurred_at` to the entry on the stream. */
export interface EventLag extends LatencySummary {
  /** Entries per event name. */
  byName: Record<string, number>;
  /** Entries of one event id seen more than once (redeliveries of a batch). */
  duplicates: number;
}

export function eventLag(events: readonly StreamEvent[]): EventLag {
  const recorder = new LatencyRecorder();
  const byName: Record<string, number> = {};
  const ids = new Set<string>();
  for (const event of events) {
    recorder.record(Math.max(0, event.arrivedAtMs - event.occurredAtMs));
    byName[event.name] = (byName[event.name] ?? 0) + 1;
    ids.add(event.eventId);
  }
  return { ...recorder.summary(), byName, duplicates: events.length - ids.size };
}

/**
 * Samples the age of the oldest unsent row of events.outbox (0 when none waits) every
 * `intervalMs`, on a connection of its own, until stopped.
 */
export class OutboxAgeSampler {
  private readonly recorder = new LatencyRecorder();
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly databaseUrl: string,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    const db = new Client({ connectionString: this.databaseUrl });
    await db.connect();
    this.loop = this.run(db).finally(() => db.end());
  }

  async stop(): Promise<LatencySummary> {
    this.stopped = true;
    await this.loop;
    return this.recorder.summary();
  }

  private async run(db: Client): Promise<void> {
    while (!this.stopped) {
      const { rows } = await db.query<{ age_ms: number }>(
        `SELECT coalesce(extract(epoch FROM now() - min(occurred_at)) * 1000, 0)::float8 AS age_ms
           FROM events.outbox`,
      );
      this.recorder.record(rows[0].age_ms);
      await sleep(this.intervalMs);
    }
  }
}

/** Waits until `consumer` reads the request stream of `service` (its relay started before). */
export async function waitForConsumer(
  redis: Redis,
  prefix: string,
  service: string,
  consumer: string,
  timeoutMs = 120_000,
): Promise<void> {
  const stream = new BusKeys(prefix).requestStream(service);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const groups = fieldValues(await redis.call('XINFO', 'GROUPS', stream), 'name');
    for (const group of groups) {
      const consumers = fieldValues(await redis.call('XINFO', 'CONSUMERS', stream, group), 'name');
      if (consumers.includes(consumer)) return;
    }
    await sleep(250);
  }
  throw new Error(`${consumer} did not start reading ${stream} within ${timeoutMs} ms`);
}

/** The values of `field` in an XINFO reply: an array of flat [field, value, ...] arrays. */
function fieldValues(reply: unknown, field: string): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((item: unknown) => {
    if (!Array.isArray(item)) return [];
    const index = item.indexOf(field);
    return index >= 0 && typeof item[index + 1] === 'string' ? [item[index + 1] as string] : [];
  });
}

export interface RelayRun {
  rows: number;
  replicas: number;
  /** Probe streams the rows were spread over (each stays under the streams' MAXLEN). */
  streams: number;
  insertMs: number;
  /** From the insert's commit until the first row was gone. */
  firstMovedAfterMs: number;
  /** From the insert's commit until the table was empty. */
  drainMs: number;
  /** Entries per second between the first and the last entry Redis stored (the relays' rate). */
  eventsPerSecond: number;
  /** Rows per second over drainMs (includes the wait for the relays' next poll). */
  drainEventsPerSecond: number;
  entries: number;
  distinctEvents: number;
  /** Rows still in the table when the wait ended (0 unless it timed out). */
  left: number;
}

const ROWS_PER_PROBE_STREAM = 5000;
const PROBE_EVENT = 'bench.relay_probe';

/**
 * Relay throughput: `rows` outbox rows (events nobody consumes, shaped like
 * `event.participant_joined`) committed in one statement while the relays of every events
 * replica run; then the table is polled every 10 ms until empty, and the probe streams read back.
 */
export async function relayThroughput(args: {
  db: Client;
  redis: Redis;
  prefix: string;
  rows: number;
  replicas: number;
  timeoutMs?: number;
}): Promise<RelayRun> {
  const { db, redis, prefix, rows, replicas } = args;
  const timeoutMs = args.timeoutMs ?? 300_000;
  const streams = Math.max(1, Math.ceil(rows / ROWS_PER_PROBE_STREAM));
  const since = Date.now() - 1000;

  const insertStarted = Date.now();
  await db.query(
    `INSERT INTO events.outbox (event_id, name, payload, correlation_id)
     SELECT gen_random_uuid(), $2 || '_' || (i % $3::int),
            jsonb_build_object('event_id', gen_random_uuid(), 'member_id', gen_random_uuid(),
                               'joined_at', now(), 'price', 10,
                               'participants_count', i, 'spots_left', 0),
            'bench-relay-' || i
       FROM generate_series(1, $1::int) AS i`,
    [rows, PROBE_EVENT, streams],
  );
  const committed = Date.now();

  let firstMoved = Number.NaN;
  let left = rows;
  while (Date.now() - committed < timeoutMs) {
    const { rows: counted } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events.outbox',
    );
    left = counted[0].n;
    if (left < rows && Number.isNaN(firstMoved)) firstMoved = Date.now();
    if (left === 0) break;
    await sleep(10);
  }
  const drained = Date.now();

  const entries = await streamEvents(redis, prefix, `${PROBE_EVENT}_*`, since);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const entry of entries) {
    first = Math.min(first, entry.arrivedAtMs);
    last = Math.max(last, entry.arrivedAtMs);
  }
  const spanMs = entries.length > 1 ? Math.max(1, last - first) : 0;
  const drainMs = drained - committed;
  return {
    rows,
    replicas,
    streams,
    insertMs: committed - insertStarted,
    firstMovedAfterMs: firstMoved - committed,
    drainMs,
    eventsPerSecond: spanMs > 0 ? (entries.length / spanMs) * 1000 : Number.NaN,
    drainEventsPerSecond: left === 0 ? (rows / Math.max(1, drainMs)) * 1000 : Number.NaN,
    entries: entries.length,
    distinctEvents: new Set(entries.map((e) => e.eventId)).size,
    left,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
