/**
 * The floor of `npm run bench:events`' reads: a bare Fastify server that answers
 * `GET /api/v1/events/upcoming` and `GET /api/v1/events/{id}` (anonymous) by running the events
 * service's own statements (READ_SQL, imported from its repository) on a plain `pg` pool of the
 * same size, sharing the listing's count among the requests that arrive while one runs as the
 * service does (SingleFlight), and writing the same JSON body. No Nest, no bus, no hooks, no logging: what the same
 * work costs without the platform's layers. The benchmark compares one answer of each route with
 * the gateway's, byte for byte, before measuring.
 *
 *   node dist/bench/bench/events-bare-server.js --port 3999 --database-url postgres://...
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
// The service's own row-to-body mapping: the floor is the same work without the layers around it.
import { rowToEventView } from '../apps/events/src/events/event-view';
import { EventRow, READ_SQL } from '../apps/events/src/events/events.repository';
import { SingleFlight } from '../apps/events/src/shared/single-flight';
import { argValue } from './lib';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `limit` 1..100 (default 10), `offset` >= 0 (default 0); undefined when out of range. */
function page(
  query: Record<string, string | undefined>,
): { limit: number; offset: number } | undefined {
  const limit = query.limit === undefined ? 10 : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return undefined;
  if (!Number.isInteger(offset) || offset < 0) return undefined;
  return { limit, offset };
}

async function main(): Promise<void> {
  const port = Number(argValue('port', '0'));
  const db = new Pool({
    connectionString: argValue('database-url', ''),
    max: Number(argValue('pool-size', '10')),
  });
  const server = Fastify({ logger: false });
  const upcomingTotal = new SingleFlight<number>();
  const countUpcoming = async () =>
    (await db.query<{ total: number }>(READ_SQL.upcomingCount)).rows[0].total;

  server.get('/api/v1/events/upcoming', async (request, reply) => {
    const asked = page(request.query as Record<string, string | undefined>);
    if (!asked) return reply.code(400).send({ code: 'VALIDATION_FAILED' });
    const [rows, total] = await Promise.all([
      db.query<EventRow>(READ_SQL.upcomingPage, [asked.limit, asked.offset]),
      upcomingTotal.run(countUpcoming),
    ]);
    return {
      events: rows.rows.map((row) => rowToEventView(row)),
      total,
      limit: asked.limit,
      offset: asked.offset,
    };
  });

  server.get<{ Params: { id: string } }>('/api/v1/events/:id', async (request, reply) => {
    const { id } = request.params;
    if (!UUID.test(id)) return reply.code(404).send({ code: 'EVENT_NOT_FOUND' });
    const { rows } = await db.query<EventRow & { waitlist_count: number }>(
      READ_SQL.byIdWithWaitlist,
      [id],
    );
    if (rows.length === 0) return reply.code(404).send({ code: 'EVENT_NOT_FOUND' });
    return { ...rowToEventView(rows[0]), waitlist_count: rows[0].waitlist_count };
  });

  await server.listen({ port, host: '127.0.0.1' });
  const stop = () => void server.close().then(() => db.end().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bare events server failed: ${String(error)}\n`);
  process.exit(1);
});
