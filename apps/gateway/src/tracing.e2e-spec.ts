import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EVENT_EVENTS, EVENTS, USERS } from '@up/contracts';
import { HTTP_SERVER_SCOPE } from '@up/observability';
import { Platform, startPlatform, startTestTracing, TestTracing } from '@up/testing';
import { ClubFactory } from '../test/factories/club.factory';

const PG_SCOPE = '@opentelemetry/instrumentation-pg';

/** Waits (bounded) until the spans satisfy `done`; answers the last look either way. */
async function spansWhen(
  tracing: TestTracing,
  done: (spans: ReadableSpan[]) => boolean,
): Promise<ReadableSpan[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spans = tracing.spans();
    if (done(spans) || Date.now() > deadline) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const traceOf = (span: ReadableSpan) => span.spanContext().traceId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

/** The span's ancestors within `spans`, nearest first. */
function ancestorsOf(span: ReadableSpan, spans: readonly ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  const chain: ReadableSpan[] = [];
  for (let parent = span.parentSpanContext; parent;) {
    const found = byId.get(parent.spanId);
    if (!found) break;
    chain.push(found);
    parent = found.parentSpanContext;
  }
  return chain;
}

function findConsumerSpan(spans: readonly ReadableSpan[], service: string, pattern: string) {
  return spans.find(
    (s) => s.attributes['bus.service'] === service && s.attributes['bus.pattern'] === pattern,
  );
}

function consumerSpan(spans: readonly ReadableSpan[], service: string, pattern: string) {
  const span = findConsumerSpan(spans, service, pattern);
  if (!span) throw new Error(`no span of ${service} handling ${pattern}`);
  return span;
}

/**
 * Issue 12: one join at the gateway is one trace, through the bus (requests carry the W3C trace
 * context), across the events and users services, down to their SQL; the bot's notification,
 * from an outbox event, is a trace of its own linked to the join's.
 */
describe('one trace from the gateway to the database', () => {
  let tracing: TestTracing;
  let platform: Platform;
  let club: ClubFactory;

  beforeAll(async () => {
    // Before any app boots: the SDK is the process's, shared by every app of the platform.
    tracing = startTestTracing();
    platform = await startPlatform({
      apps: ['users', 'events', 'gateway', 'bot'],
      env: ClubFactory.env,
      telegram: {},
    });
    club = new ClubFactory(platform);
  }, 90_000);

  afterAll(() => platform?.close());

  it('follows POST join from the gateway through events and users to PostgreSQL, and links the bot to it', async () => {
    const member = await club.member({ coins: 20 });
    const event = await club.event({ price: 5 });
    tracing.reset();

    const res = await platform.api.post(`/api/v1/events/${event.id}/join`, {
      token: member.token,
    });
    expect(res.status).toBeLessThan(300);

    const spans = await spansWhen(
      tracing,
      (all) =>
        findConsumerSpan(all, 'users', USERS.DEBIT_COINS) !== undefined &&
        findConsumerSpan(all, 'bot', EVENT_EVENTS.PARTICIPANT_JOINED) !== undefined &&
        all.some(
          (s) => s.instrumentationScope.name === HTTP_SERVER_SCOPE && s.kind === SpanKind.SERVER,
        ),
    );
    const atEvents = consumerSpan(spans, 'events', EVENTS.JOIN);
    const atUsers = consumerSpan(spans, 'users', USERS.DEBIT_COINS);
    expect(atEvents?.kind).toBe(SpanKind.SERVER);
    expect(atUsers?.kind).toBe(SpanKind.SERVER);
    const traceId = traceOf(atEvents);
    const join = spans.filter((s) => traceOf(s) === traceId);
    const callerOf = (span: ReadableSpan) => ancestorsOf(span, join)[0];

    // One trace, rooted in the gateway's HTTP server span.
    const roots = join.filter((s) => ancestorsOf(s, join).length === 0 && s.parentSpanContext);
    expect(roots).toEqual([]);
    const [root] = join.filter((s) => !s.parentSpanContext);
    expect(root).toMatchObject({
      kind: SpanKind.SERVER,
      instrumentationScope: { name: HTTP_SERVER_SCOPE },
      // Named after its route, not its URL.
      name: 'POST /api/v1/events/:event_id/join',
      attributes: expect.objectContaining({ 'http.route': '/api/v1/events/:event_id/join' }),
    });
    // The server span is the gateway's only span of its own: no framework span (request,
    // handler) between it and the calls it makes.
    expect(join.filter((s) => callerOf(s) === root && s.kind === SpanKind.INTERNAL)).toEqual([]);
    expect(traceOf(atUsers)).toBe(traceId);

    // events handles the request under the gateway's client span, users under events' one.
    expect(callerOf(atEvents)).toMatchObject({
      kind: SpanKind.CLIENT,
      attributes: { 'bus.pattern': EVENTS.JOIN },
    });
    expect(ancestorsOf(atUsers, join)).toContain(atEvents);

    // Each service's SQL is in the trace, under that service's handler.
    const sqlUnder = (service: ReadableSpan) =>
      join.filter(
        (s) =>
          s.instrumentationScope.name === PG_SCOPE &&
          ancestorsOf(s, join).find((a) => a.attributes['bus.service'] !== undefined) === service,
      );
    expect(sqlUnder(atEvents).length).toBeGreaterThan(0);
    expect(sqlUnder(atUsers).length).toBeGreaterThan(0);

    // The outbox row's producer span is in the join's trace; the bot's handling of the event is a
    // trace of its own, linked to it.
    const produced = join.find(
      (s) =>
        s.kind === SpanKind.PRODUCER &&
        s.attributes['bus.pattern'] === EVENT_EVENTS.PARTICIPANT_JOINED,
    );
    if (!produced) throw new Error('no producer span of the participant_joined event');
    const notified = consumerSpan(spans, 'bot', EVENT_EVENTS.PARTICIPANT_JOINED);
    expect(notified.kind).toBe(SpanKind.CONSUMER);
    expect(traceOf(notified)).not.toBe(traceId);
    expect(notified.parentSpanContext).toBeUndefined();
    expect(notified.links.map((link) => link.context.spanId)).toEqual([idOf(produced)]);
  });
});
