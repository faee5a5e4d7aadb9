import { DomainError, ErrorCode, EVENT_EVENTS, EventName, MemberRole } from '@up/contracts';
import { TransactionRunner } from '@up/database';
import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { SeatSettlement } from './seat-settlement.service';

/** Fulfilled or the error code; anything that is not an expected DomainError fails the test. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof DomainError && error.status < 500) return error.code;
    throw error;
  }
}

/**
 * Seats, refunds and the waitlist under concurrency, on two events replicas against the real
 * users service: the invariants that matter to members' coins.
 */
describe(`${SeatSettlement.name} under concurrency`, () => {
  let h: EventsPlatform;

  beforeAll(async () => {
    h = await startEventsPlatform({ replicas: 2 });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  const on = (i: number) => h.replicas[i % h.replicas.length];
  const members = (n: number, coins: number) =>
    Promise.all(Array.from({ length: n }, () => h.member(coins)));

  /** Net coins the events service moved for the member, and the number of debits and credits. */
  async function movementsOf(member: string) {
    const movements = await h.ledger.eventMovementsOf(member);
    return {
      net: movements.reduce((sum, m) => sum + m.amount, 0),
      debits: movements.filter((m) => m.amount < 0).length,
      credits: movements.filter((m) => m.amount > 0).length,
    };
  }

  it('promotes exactly the first 50 payable members in line when 50 leave at once', async () => {
    const event = await h.newEvent({ price: 10, capacity: 50 });
    const seated = await members(50, 10);
    await Promise.all(
      seated.map((m, i) => on(i).participation.join({ event_id: event.id, member_id: m })),
    );
    // 100 in line; every 6th of them cannot pay when offered a seat.
    const waiting: string[] = [];
    for (let i = 0; i < 100; i++) waiting.push(await h.member(i % 6 === 3 ? 5 : 10));
    for (const [i, m] of waiting.entries()) {
      await on(i).waitlist.join({ event_id: event.id, member_id: m });
    }

    await Promise.all(
      seated.map((m, i) => on(i).participation.leave({ event_id: event.id, member_id: m })),
    );

    const poor = new Set(waiting.filter((_, i) => i % 6 === 3));
    const expected: string[] = [];
    const skipped: string[] = [];
    for (const m of waiting) {
      if (expected.length === 50) break;
      if (poor.has(m)) skipped.push(m);
      else expected.push(m);
    }
    const rows = await h.rows.participantsOf(event.id);
    const joined = rows.filter((r) => r.status === 'joined').map((r) => r.member_id);
    expect(new Set(joined)).toEqual(new Set(expected));
    expect(await h.rows.seatsTakenOf(event.id)).toBe(50);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    for (const m of expected)
      expect(await movementsOf(m)).toEqual({ net: -10, debits: 1, credits: 0 });
    for (const m of seated) expect(await movementsOf(m)).toEqual({ net: 0, debits: 1, credits: 1 });
    for (const m of skipped)
      expect(await movementsOf(m)).toEqual({ net: 0, debits: 0, credits: 0 });
    const balances = await Promise.all(
      [...expected, ...seated, ...skipped].map((m) => h.balanceOf(m)),
    );
    expect(balances).toEqual([
      ...expected.map(() => 0),
      ...seated.map(() => 10),
      ...skipped.map(() => 5),
    ]);
    // The rest still wait, in order.
    const line = await h.participation.listParticipants({
      event_id: event.id,
      limit: 100,
      offset: 0,
      with_waitlist: true,
    });
    const rest = waiting.filter((m) => !expected.includes(m) && !skipped.includes(m));
    expect(line.waitlist?.map((w) => w.user_id)).toEqual(rest);
    const promotedEvents = await h.published
      .waitFor(
        EVENT_EVENTS.WAITLIST_PROMOTED,
        () =>
          h.published
            .payloadsOf(EVENT_EVENTS.WAITLIST_PROMOTED)
            .filter((p) => p.event_id === event.id).length >= 50,
      )
      .then(() =>
        h.published
          .payloadsOf(EVENT_EVENTS.WAITLIST_PROMOTED)
          .filter((p) => p.event_id === event.id),
      );
    expect(promotedEvents.map((p) => p.member_id).sort()).toEqual([...expected].sort());
    await h.published.waitFor(
      EVENT_EVENTS.WAITLIST_SKIPPED,
      () =>
        h.published.payloadsOf(EVENT_EVENTS.WAITLIST_SKIPPED).filter((p) => p.event_id === event.id)
          .length >= skipped.length,
    );
    expect(
      h.published
        .payloadsOf(EVENT_EVENTS.WAITLIST_SKIPPED)
        .filter((p) => p.event_id === event.id)
        .map((p) => [p.member_id, p.reason_code])
        .sort(),
    ).toEqual(skipped.map((m) => [m, ErrorCode.INSUFFICIENT_COINS]).sort());
  }, 60_000);

  it('offers every seat of a raised capacity in line order, passing over a member who holds one', async () => {
    const event = await h.newEvent({ price: 10, capacity: 1 });
    const [seated, first, holder, third, fourth] = await members(5, 10);
    await h.participation.join({ event_id: event.id, member_id: seated });
    for (const m of [first, holder, third, fourth]) {
      await h.waitlist.join({ event_id: event.id, member_id: m });
    }
    // A seat the line does not know about (what a join racing the line could leave behind).
    await h.sql(`UPDATE events.events SET capacity = 2 WHERE id = $1`, [event.id]);
    await h.app
      .get(TransactionRunner)
      .run(({ manager }) => h.seats.takeSeat(manager, event.id, holder));

    await h.events.update({
      event_id: event.id,
      actor_id: event.creator_id,
      actor_role: MemberRole.ORGANIZER,
      capacity: 4,
    });

    const rows = await h.rows.participantsOf(event.id);
    expect(
      rows
        .filter((r) => r.status === 'joined')
        .map((r) => r.member_id)
        .sort(),
    ).toEqual([seated, first, third].sort());
    expect(rows.filter((r) => r.member_id === holder).map((r) => r.status)).toEqual(['pending']);
    expect(await h.rows.seatsTakenOf(event.id)).toBe(4);
    const line = await h.sql<{ member_id: string; status: string }[]>(
      `SELECT member_id, status FROM events.waitlist WHERE event_id = $1`,
      [event.id],
    );
    expect(Object.fromEntries(line.map((e) => [e.member_id, e.status]))).toEqual({
      [first]: 'promoted',
      [holder]: 'released',
      [third]: 'promoted',
      [fourth]: 'waiting',
    });
    for (const m of [first, third])
      expect(await movementsOf(m)).toEqual({ net: -10, debits: 1, credits: 0 });
    expect(await movementsOf(fourth)).toEqual({ net: 0, debits: 0, credits: 0 });
  }, 30_000);

  it('refunds every seated member exactly once when cancelled amid 100 joins and leaves', async () => {
    const event = await h.newEvent({ price: 10, capacity: 80 });
    const early = await members(50, 100);
    await Promise.all(
      early.map((m, i) => on(i).participation.join({ event_id: event.id, member_id: m })),
    );
    const late = await members(50, 100);
    const cancel = {
      event_id: event.id,
      actor_id: event.creator_id,
      actor_role: MemberRole.ORGANIZER,
    };

    const outcomes = await Promise.all([
      ...late.map((m, i) =>
        outcome(on(i).participation.join({ event_id: event.id, member_id: m })),
      ),
      ...early.map((m, i) =>
        outcome(on(i + 1).participation.leave({ event_id: event.id, member_id: m })),
      ),
      new Promise((resolve) => setTimeout(resolve, 30)).then(() =>
        outcome(h.replicas[1].events.deactivate(cancel)),
      ),
    ]);
    await h.recovery.sweep(0);

    expect(outcomes.at(-1)).toBe('ok');
    const allowed = new Set<string>([
      'ok',
      ErrorCode.EVENT_FULL,
      ErrorCode.EVENT_NOT_JOINABLE,
      ErrorCode.NOT_JOINED,
    ]);
    expect(outcomes.filter((o) => !allowed.has(o))).toEqual([]);
    const rows = await h.rows.participantsOf(event.id);
    expect(rows.filter((r) => r.status === 'pending' || r.status === 'joined')).toEqual([]);
    expect(await h.rows.seatsTakenOf(event.id)).toBe(0);
    expect((await h.rows.refundStatesOf(event.id)).filter((s) => s === 'due')).toEqual([]);
    // Whatever happened to each member, the event is cancelled: every coin came back, once per debit.
    for (const m of [...early, ...late]) {
      const moved = await movementsOf(m);
      expect({ m, net: moved.net, balance: await h.balanceOf(m) }).toEqual({
        m,
        net: 0,
        balance: 100,
      });
      expect(moved.credits).toBe(moved.debits);
    }
    const cancelled = rows.filter((r) => r.status === 'cancelled').map((r) => r.member_id);
    const announced = await h.published.waitFor(
      EVENT_EVENTS.CANCELLED,
      (p) => p.event_id === event.id,
    );
    // Members seated at the cancellation are named; a join still being paid for is refunded later.
    expect(announced.refunded_member_ids.every((m) => cancelled.includes(m))).toBe(true);
  }, 60_000);

  it('never answers 5xx under mixed joins, leaves and waitlist moves, and keeps the seats right', async () => {
    const events = await Promise.all([1, 2, 3].map(() => h.newEvent({ price: 5, capacity: 4 })));
    const crowd = await members(30, 1000);
    const ops: Promise<string>[] = [];
    for (let i = 0; i < 240; i++) {
      const event = events[i % 3].id;
      const member = crowd[(i * 7) % crowd.length];
      const replica = on(i);
      const dto = { event_id: event, member_id: member };
      const op = [
        () => replica.participation.join(dto),
        () => replica.participation.leave(dto),
        () => replica.waitlist.join(dto),
        () => replica.waitlist.leave(dto),
      ][(i * 5 + Math.floor(i / 3)) % 4];
      ops.push(outcome(op()));
    }

    const outcomes = await Promise.all(ops);

    expect(
      outcomes.filter((o) => o === ErrorCode.SERVICE_UNAVAILABLE || o === ErrorCode.CONFLICT),
    ).toEqual([]);
    for (const event of events) {
      const rows = await h.rows.participantsOf(event.id);
      const holding = rows.filter((r) => r.status === 'joined' || r.status === 'pending');
      expect(holding.filter((r) => r.status === 'pending')).toEqual([]);
      expect(await h.rows.seatsTakenOf(event.id)).toBe(holding.length);
      expect(holding.length).toBeLessThanOrEqual(4);
      const detail = await h.events.get({ event_id: event.id });
      // Nobody waits while a seat is free.
      if (holding.length < 4) expect(detail.waitlist_count).toBe(0);
    }
    for (const m of crowd) {
      const views = await Promise.all(
        events.map((e) => h.events.get({ event_id: e.id, member_id: m })),
      );
      const seats = views.filter((v) => v.joined).length;
      expect({ m, balance: await h.balanceOf(m) }).toEqual({ m, balance: 1000 - 5 * seats });
    }
  }, 60_000);

  it('publishes one bus event per fact through the outbox, and nothing for a refused join', async () => {
    const event = await h.newEvent({ price: 10, capacity: 1 });
    const [a, b, poor] = await Promise.all([h.member(10), h.member(10), h.member(1)]);
    await h.participation.join({ event_id: event.id, member_id: a });
    await h.waitlist.join({ event_id: event.id, member_id: b });
    await h.participation.leave({ event_id: event.id, member_id: a });
    expect(await outcome(h.participation.join({ event_id: event.id, member_id: poor }))).toBe(
      ErrorCode.EVENT_FULL,
    );
    await h.events.update({
      event_id: event.id,
      actor_id: event.creator_id,
      actor_role: MemberRole.ORGANIZER,
      capacity: 2,
      location: 'Elsewhere',
    });
    expect(await outcome(h.participation.join({ event_id: event.id, member_id: poor }))).toBe(
      ErrorCode.INSUFFICIENT_COINS,
    );
    await h.events.deactivate({
      event_id: event.id,
      actor_id: event.creator_id,
      actor_role: MemberRole.ORGANIZER,
    });

    await h.published.waitFor(EVENT_EVENTS.CANCELLED, (p) => p.event_id === event.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const of = <P extends { event_id: string }>(name: EventName<P>) =>
      h.published.payloadsOf(name).filter((p) => p.event_id === event.id);
    expect(of(EVENT_EVENTS.CREATED)).toHaveLength(1);
    expect(of(EVENT_EVENTS.PARTICIPANT_JOINED).map((p) => p.member_id)).toEqual([a, b]);
    expect(of(EVENT_EVENTS.PARTICIPANT_LEFT).map((p) => p.member_id)).toEqual([a]);
    expect(of(EVENT_EVENTS.WAITLIST_PROMOTED).map((p) => p.member_id)).toEqual([b]);
    expect(of(EVENT_EVENTS.RESCHEDULED)).toEqual([
      expect.objectContaining({ old_location: event.location, new_location: 'Elsewhere' }),
    ]);
    expect(of(EVENT_EVENTS.CANCELLED)).toEqual([
      expect.objectContaining({ refunded_member_ids: [b], title: event.title }),
    ]);
    // The outbox is empty once the relay moved everything.
    expect(await h.sql<unknown[]>(`SELECT 1 FROM events.outbox`)).toEqual([]);
  }, 30_000);
});
