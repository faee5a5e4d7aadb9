import { DomainError, ErrorCode, EVENT_EVENTS, MemberRole, USERS } from '@up/contracts';
import { startEventsService, EventsServiceHarness } from '../../test/events-service.harness';
import { createEventDto, inDays } from '../../test/factories/event.factory';
import { ParticipationService } from './participation.service';

/** The error code a promise rejects with (fails the test if it resolves). */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError, got success');
}

describe(ParticipationService.name, () => {
  let h: EventsServiceHarness;

  beforeAll(async () => {
    h = await startEventsService({ replicas: 2 });
  });

  afterAll(async () => {
    await h?.close();
  });

  const newEvent = (overrides: Parameters<typeof createEventDto>[0] = {}) =>
    h.events.create(createEventDto(overrides));

  const participantsOf = (eventId: string) =>
    h.sql<{ member_id: string; status: string }[]>(
      `SELECT member_id, status FROM events.participants WHERE event_id = $1`,
      [eventId],
    );

  const seatsTaken = async (eventId: string) =>
    (
      await h.sql<{ seats_taken: number }[]>(
        `SELECT seats_taken FROM events.events WHERE id = $1`,
        [eventId],
      )
    )[0].seats_taken;

  describe('join', () => {
    it('takes a seat, debits the price once with the join key, and answers the balance', async () => {
      const event = await newEvent({ price: 10, capacity: 5 });
      const member = h.users.addMember(25);

      const result = await h.participation.join({ event_id: event.id, member_id: member });

      expect(result).toEqual({
        event_id: event.id,
        user_id: member,
        joined_at: expect.any(String),
        balance: 15,
      });
      expect(h.users.entriesOf(member)).toEqual([
        expect.objectContaining({ key: `join:${event.id}:${member}`, amount: -10 }),
      ]);
      expect(await participantsOf(event.id)).toEqual([{ member_id: member, status: 'joined' }]);
      expect((await h.events.get({ event_id: event.id, member_id: member })).joined).toBe(true);
      expect(await h.events.get({ event_id: event.id })).toMatchObject({
        participants_count: 1,
        spots_left: 4,
      });
      expect(h.users.emitted).toContainEqual({
        event: EVENT_EVENTS.PARTICIPANT_JOINED,
        payload: expect.objectContaining({ event_id: event.id, member_id: member, price: 10 }),
      });
    });

    it('never seats more than the capacity nor debits without a seat, across two replicas', async () => {
      const event = await newEvent({ price: 10, capacity: 50 });
      const members = Array.from({ length: 200 }, () => h.users.addMember(100));

      const outcomes = await Promise.allSettled(
        members.map((member, i) =>
          h.replicas[i % 2].participation.join({ event_id: event.id, member_id: member }),
        ),
      );

      const joined = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.flatMap((o) =>
        o.status === 'rejected' ? [o.reason as DomainError] : [],
      );
      expect(joined).toHaveLength(50);
      expect(refused.map((e) => e.code)).toEqual(Array(150).fill(ErrorCode.EVENT_FULL));
      const seated = (await participantsOf(event.id)).filter((p) => p.status === 'joined');
      expect(seated).toHaveLength(50);
      expect(await seatsTaken(event.id)).toBe(50);
      const debits = members.flatMap((m) => h.users.entriesOf(m));
      expect(debits).toHaveLength(50);
      expect(debits.every((d) => d.amount === -10)).toBe(true);
      const seatedIds = new Set(seated.map((p) => p.member_id));
      for (const member of members) {
        expect(h.users.balances.get(member)).toBe(seatedIds.has(member) ? 90 : 100);
      }
    });

    it('refuses a member without enough coins (402) and changes nothing', async () => {
      const event = await newEvent({ price: 10, capacity: 1 });
      const member = h.users.addMember(5);

      expect(await codeOf(h.participation.join({ event_id: event.id, member_id: member }))).toBe(
        ErrorCode.INSUFFICIENT_COINS,
      );

      expect(h.users.balances.get(member)).toBe(5);
      expect(h.users.entriesOf(member)).toEqual([]);
      expect(await seatsTaken(event.id)).toBe(0);
      expect((await participantsOf(event.id)).filter((p) => p.status === 'joined')).toEqual([]);
      // The seat it held while paying is free again.
      const other = h.users.addMember(10);
      await expect(
        h.participation.join({ event_id: event.id, member_id: other }),
      ).resolves.toBeDefined();
    });

    it('answers ALREADY_JOINED to a second join, also when both arrive at once', async () => {
      const event = await newEvent({ price: 3 });
      const member = h.users.addMember(100);

      const both = await Promise.allSettled([
        h.replicas[0].participation.join({ event_id: event.id, member_id: member }),
        h.replicas[1].participation.join({ event_id: event.id, member_id: member }),
      ]);
      expect(both.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await codeOf(h.participation.join({ event_id: event.id, member_id: member }))).toBe(
        ErrorCode.ALREADY_JOINED,
      );
      expect(h.users.balances.get(member)).toBe(97);
    });

    it('answers ALREADY_JOINED rather than EVENT_FULL to a member holding the last seat', async () => {
      const event = await newEvent({ capacity: 1 });
      const member = h.users.addMember(0);
      await h.participation.join({ event_id: event.id, member_id: member });
      expect(await codeOf(h.participation.join({ event_id: event.id, member_id: member }))).toBe(
        ErrorCode.ALREADY_JOINED,
      );
    });

    it.each([
      ['inactive', { is_active: false }],
      ['already started', { start_date: inDays(-1 / 24) }],
    ])('refuses an %s event with EVENT_NOT_JOINABLE', async (_label, overrides) => {
      const event = await newEvent({ price: 1, ...overrides });
      const member = h.users.addMember(10);
      expect(await codeOf(h.participation.join({ event_id: event.id, member_id: member }))).toBe(
        ErrorCode.EVENT_NOT_JOINABLE,
      );
      expect(h.users.balances.get(member)).toBe(10);
    });

    it('answers EVENT_NOT_FOUND for an unknown event', async () => {
      const member = h.users.addMember(10);
      expect(
        await codeOf(
          h.participation.join({
            event_id: '6f1c1f4e-8b9a-4c3e-9d2f-0a1b2c3d4e5f',
            member_id: member,
          }),
        ),
      ).toBe(ErrorCode.EVENT_NOT_FOUND);
    });

    it('joins a free event without touching the ledger', async () => {
      const event = await newEvent({ price: 0 });
      const member = h.users.addMember(7);
      await expect(
        h.participation.join({ event_id: event.id, member_id: member }),
      ).resolves.toMatchObject({
        balance: 7,
      });
      expect(h.users.entriesOf(member)).toEqual([]);
    });

    it('awards first_event on the first join only', async () => {
      const member = h.users.addMember(0);
      const [a, b] = [await newEvent(), await newEvent()];
      await h.participation.join({ event_id: a.id, member_id: member });
      await h.participation.join({ event_id: b.id, member_id: member });
      const awards = h.users.calls.filter(
        (c) =>
          c.pattern === USERS.AWARD_ACHIEVEMENT &&
          (c.payload as { member_id: string }).member_id === member,
      );
      expect(awards).toHaveLength(1);
      expect(h.users.achievements.get(member)).toEqual(new Set(['first_event']));
    });
  });

  describe('leave', () => {
    it('frees the seat and refunds the price exactly once; a second leave is NOT_JOINED', async () => {
      const event = await newEvent({ price: 10, capacity: 1 });
      const member = h.users.addMember(10);
      await h.participation.join({ event_id: event.id, member_id: member });

      const first = await h.participation.leave({ event_id: event.id, member_id: member });
      const second = await codeOf(h.participation.leave({ event_id: event.id, member_id: member }));

      expect(first).toMatchObject({ refunded: 10, balance: 10 });
      expect(second).toBe(ErrorCode.NOT_JOINED);
      expect(h.users.balances.get(member)).toBe(10);
      expect(h.users.entriesOf(member).map((e) => [e.key, e.amount])).toEqual([
        [`join:${event.id}:${member}`, -10],
        [`join-refund:${event.id}:${member}:1`, 10],
      ]);
      expect(await seatsTaken(event.id)).toBe(0);
      expect(h.users.emitted).toContainEqual({
        event: EVENT_EVENTS.PARTICIPANT_LEFT,
        payload: expect.objectContaining({ event_id: event.id, member_id: member, refunded: 10 }),
      });
    });

    it('refunds once when two leaves race on two replicas', async () => {
      const event = await newEvent({ price: 10 });
      const member = h.users.addMember(10);
      await h.participation.join({ event_id: event.id, member_id: member });

      const both = await Promise.allSettled([
        h.replicas[0].participation.leave({ event_id: event.id, member_id: member }),
        h.replicas[1].participation.leave({ event_id: event.id, member_id: member }),
      ]);

      expect(both.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(h.users.balances.get(member)).toBe(10);
      expect(h.users.entriesOf(member).filter((e) => e.amount > 0)).toHaveLength(1);
    });

    it('charges a rejoin again (new attempt, new key) and refunds it again on leaving', async () => {
      const event = await newEvent({ price: 4 });
      const member = h.users.addMember(10);
      await h.participation.join({ event_id: event.id, member_id: member });
      await h.participation.leave({ event_id: event.id, member_id: member });
      const rejoined = await h.participation.join({ event_id: event.id, member_id: member });

      expect(rejoined.balance).toBe(6);
      await h.participation.leave({ event_id: event.id, member_id: member });
      expect(h.users.balances.get(member)).toBe(10);
      expect(h.users.entriesOf(member).map((e) => e.key)).toEqual([
        `join:${event.id}:${member}`,
        `join-refund:${event.id}:${member}:1`,
        `join:${event.id}:${member}:2`,
        `join-refund:${event.id}:${member}:2`,
      ]);
    });

    it('refuses to leave an event that has started', async () => {
      const event = await newEvent({ price: 2 });
      const member = h.users.addMember(2);
      await h.participation.join({ event_id: event.id, member_id: member });
      await h.sql(
        `UPDATE events.events SET start_date = now() - interval '1 minute' WHERE id = $1`,
        [event.id],
      );

      expect(await codeOf(h.participation.leave({ event_id: event.id, member_id: member }))).toBe(
        ErrorCode.EVENT_NOT_JOINABLE,
      );
      expect(h.users.balances.get(member)).toBe(0);
    });

    it('keeps an unconfirmed refund owed and the sweep pays it once', async () => {
      const event = await newEvent({ price: 6 });
      const member = h.users.addMember(6);
      await h.participation.join({ event_id: event.id, member_id: member });
      h.users.failNext(USERS.CREDIT_COINS, 'lost-answer');

      const left = await h.participation.leave({ event_id: event.id, member_id: member });
      expect(left.balance).toBeNull();
      // The credit did arrive; only its answer was lost. The sweep repeats it with the same key.
      await h.recovery.sweep(0);
      await h.recovery.sweep(0);

      expect(h.users.balances.get(member)).toBe(6);
      expect(h.users.entriesOf(member).filter((e) => e.amount > 0)).toHaveLength(1);
      const [row] = await h.sql<{ refund_state: string }[]>(
        `SELECT refund_state FROM events.participants WHERE event_id = $1`,
        [event.id],
      );
      expect(row.refund_state).toBe('done');
    });
  });

  describe('recovery of interrupted joins', () => {
    it('settles a join whose debit never reached users: charged once, seated', async () => {
      const event = await newEvent({ price: 10, capacity: 1 });
      const member = h.users.addMember(10);
      h.users.failNext(USERS.DEBIT_COINS, 'lost-request');

      expect(await codeOf(h.participation.join({ event_id: event.id, member_id: member }))).toBe(
        ErrorCode.SERVICE_UNAVAILABLE,
      );
      // The seat stays held meanwhile: nobody else can take it.
      expect(
        await codeOf(
          h.participation.join({ event_id: event.id, member_id: h.users.addMember(10) }),
        ),
      ).toBe(ErrorCode.EVENT_FULL);

      const report = await h.replicas[1].recovery.sweep(0);

      expect(report.confirmed).toBeGreaterThanOrEqual(1);
      expect(await participantsOf(event.id)).toEqual([{ member_id: member, status: 'joined' }]);
      expect(h.users.balances.get(member)).toBe(0);
      expect(h.users.entriesOf(member)).toHaveLength(1);
    });

    it('settles a join whose debit applied but whose answer was lost, without charging twice', async () => {
      const event = await newEvent({ price: 10 });
      const member = h.users.addMember(30);
      h.users.failNext(USERS.DEBIT_COINS, 'lost-answer');

      await codeOf(h.participation.join({ event_id: event.id, member_id: member }));
      await Promise.all([h.replicas[0].recovery.sweep(0), h.replicas[1].recovery.sweep(0)]);

      expect(h.users.balances.get(member)).toBe(20);
      expect(h.users.entriesOf(member)).toHaveLength(1);
      expect(await participantsOf(event.id)).toEqual([{ member_id: member, status: 'joined' }]);
    });

    it('gives the seat back when users refuses the repeated debit', async () => {
      const event = await newEvent({ price: 10, capacity: 1 });
      const member = h.users.addMember(10);
      h.users.failNext(USERS.DEBIT_COINS, 'lost-request');
      await codeOf(h.participation.join({ event_id: event.id, member_id: member }));
      // Meanwhile the member spent the coins elsewhere.
      h.users.balances.set(member, 3);

      const report = await h.recovery.sweep(0);

      expect(report.released).toBe(1);
      expect(await seatsTaken(event.id)).toBe(0);
      expect(h.users.balances.get(member)).toBe(3);
      expect(h.users.entriesOf(member)).toEqual([]);
    });

    it('defers an attempt while users still does not answer, and settles it later', async () => {
      const event = await newEvent({ price: 5 });
      const member = h.users.addMember(5);
      h.users.failNext(USERS.DEBIT_COINS, 'internal-error');
      await codeOf(h.participation.join({ event_id: event.id, member_id: member }));
      h.users.failNext(USERS.DEBIT_COINS, 'lost-request');

      expect((await h.recovery.sweep(0)).deferred).toBe(1);
      expect((await h.recovery.sweep(0)).confirmed).toBe(1);
      expect(h.users.balances.get(member)).toBe(0);
    });

    it('leaves joins in progress alone during the grace period', async () => {
      const event = await newEvent({ price: 5 });
      const member = h.users.addMember(5);
      h.users.failNext(USERS.DEBIT_COINS, 'lost-request');
      await codeOf(h.participation.join({ event_id: event.id, member_id: member }));

      expect(await h.recovery.sweep(60_000)).toEqual({
        confirmed: 0,
        released: 0,
        refunded: 0,
        deferred: 0,
      });
      expect(h.users.balances.get(member)).toBe(5);
      await h.recovery.sweep(0);
    });
  });

  describe('participants', () => {
    it('lists participants as public profiles in joining order with one users call', async () => {
      const event = await newEvent();
      const members = [h.users.addMember(), h.users.addMember(), h.users.addMember()];
      for (const member of members)
        await h.participation.join({ event_id: event.id, member_id: member });
      const before = h.users.calls.length;

      const page = await h.participation.listParticipants({
        event_id: event.id,
        limit: 10,
        offset: 0,
      });

      expect(page.total).toBe(3);
      expect(page.participants.map((p) => p.id)).toEqual(members);
      expect(Object.keys(page.participants[0]).sort()).toEqual([
        'achievements_count',
        'created_at',
        'full_name',
        'id',
        'joined_at',
        'photo_url',
        'referral_code',
        'role',
      ]);
      expect(h.users.calls.slice(before).map((c) => c.pattern)).toEqual([
        USERS.GET_PUBLIC_PROFILES,
      ]);
    });

    it('lists a member’s events, upcoming soonest first, then past ones', async () => {
      const member = h.users.addMember(0);
      const later = await newEvent({ start_date: inDays(20) });
      const sooner = await newEvent({ start_date: inDays(2) });
      const past = await newEvent({ start_date: inDays(3) });
      for (const e of [later, sooner, past])
        await h.participation.join({ event_id: e.id, member_id: member });
      await h.sql(`UPDATE events.events SET start_date = now() - interval '1 day' WHERE id = $1`, [
        past.id,
      ]);

      const page = await h.events.listMemberEvents({ member_id: member, limit: 10, offset: 0 });

      expect(page.events.map((e) => e.id)).toEqual([sooner.id, later.id, past.id]);
      expect(page.total).toBe(3);
      expect(page.events.every((e) => e.joined)).toBe(true);
    });
  });

  it('is usable by admins for events they did not create', async () => {
    const event = await newEvent();
    await expect(
      h.events.deactivate({
        event_id: event.id,
        actor_id: h.users.addMember(),
        actor_role: MemberRole.ADMIN,
      }),
    ).resolves.toMatchObject({ is_active: false });
  });
});
