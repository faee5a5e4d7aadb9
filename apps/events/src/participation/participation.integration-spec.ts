import { BusClient } from '@up/bus';
import {
  AchievementCode,
  DomainError,
  ErrorCode,
  EVENT_EVENTS,
  MemberRole,
  USERS,
} from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { inDays } from '../../test/factories/event.factory';
import { ParticipationService } from './participation.service';

describe(ParticipationService.name, () => {
  let h: EventsPlatform;

  beforeAll(async () => {
    h = await startEventsPlatform({ replicas: 2 });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  /** The requests the first events replica sends to users while `work` runs (the real client, watched). */
  async function usersCallsDuring(work: () => Promise<unknown>) {
    const send = jest.spyOn(h.app.get(BusClient), 'send');
    try {
      await work();
      return send.mock.calls.map(([pattern, payload]) => ({ pattern, payload }));
    } finally {
      send.mockRestore();
    }
  }

  describe('join', () => {
    it('takes a seat, debits the price once with the join key, and answers the balance', async () => {
      const event = await h.newEvent({ price: 10, capacity: 5 });
      const member = await h.member(25);

      const result = await h.participation.join({ event_id: event.id, member_id: member });

      expect(result).toEqual({
        event_id: event.id,
        user_id: member,
        joined_at: expect.any(String),
        balance: 15,
      });
      expect(await h.balanceOf(member)).toBe(15);
      const movements = await h.ledger.eventMovementsOf(member);
      expect(movements).toEqual([
        expect.objectContaining({ amount: -10, kind: 'debit', reason: `Event: ${event.title}` }),
      ]);
      expect(
        await h.ledger.transactionOfKey({
          memberId: member,
          key: `join:${event.id}:${member}`,
          amount: -10,
        }),
      ).toBe(movements[0].id);
      expect(await h.rows.participantsOf(event.id)).toEqual([
        { member_id: member, status: 'joined' },
      ]);
      expect((await h.events.get({ event_id: event.id, member_id: member })).joined).toBe(true);
      expect(await h.events.get({ event_id: event.id })).toMatchObject({
        participants_count: 1,
        spots_left: 4,
      });
      await expect(
        h.published.waitFor(EVENT_EVENTS.PARTICIPANT_JOINED, (p) => p.member_id === member),
      ).resolves.toMatchObject({ event_id: event.id, member_id: member, price: 10 });
    });

    it.each([1, 2])(
      'never seats more than the capacity nor debits without a seat, with %i replica(s)',
      async (replicaCount) => {
        const event = await h.newEvent({ price: 10, capacity: 50 });
        const members = await Promise.all(Array.from({ length: 200 }, () => h.member(100)));

        const outcomes = await Promise.allSettled(
          members.map((member, i) =>
            h.replicas[i % replicaCount].participation.join({
              event_id: event.id,
              member_id: member,
            }),
          ),
        );

        const joined = outcomes.filter((o) => o.status === 'fulfilled');
        const refused = outcomes.flatMap((o) =>
          o.status === 'rejected' ? [(o.reason as DomainError).code] : [],
        );
        expect(joined).toHaveLength(50);
        expect(refused).toEqual(Array(150).fill(ErrorCode.EVENT_FULL));
        const seated = (await h.rows.participantsOf(event.id)).filter((p) => p.status === 'joined');
        expect(seated).toHaveLength(50);
        expect(await h.rows.seatsTakenOf(event.id)).toBe(50);
        const seatedIds = new Set(seated.map((p) => p.member_id));
        const ledgers = await Promise.all(
          members.map(async (member) => ({
            member,
            balance: await h.balanceOf(member),
            movements: await h.ledger.eventMovementsOf(member),
          })),
        );
        const debits = ledgers.flatMap((l) => l.movements);
        expect(debits).toHaveLength(50);
        expect(debits.every((d) => d.amount === -10)).toBe(true);
        for (const { member, balance, movements } of ledgers) {
          expect({ member, balance, debits: movements.length }).toEqual(
            seatedIds.has(member)
              ? { member, balance: 90, debits: 1 }
              : { member, balance: 100, debits: 0 },
          );
        }
      },
      60_000,
    );

    it('refuses a member without enough coins (402) and changes nothing', async () => {
      const event = await h.newEvent({ price: 10, capacity: 1 });
      const member = await h.member(5);

      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.INSUFFICIENT_COINS);

      expect(await h.balanceOf(member)).toBe(5);
      expect(await h.ledger.eventMovementsOf(member)).toEqual([]);
      expect(await h.rows.seatsTakenOf(event.id)).toBe(0);
      expect((await h.rows.participantsOf(event.id)).filter((p) => p.status === 'joined')).toEqual(
        [],
      );
      // The seat it held while paying is free again.
      const other = await h.member(10);
      await expect(
        h.participation.join({ event_id: event.id, member_id: other }),
      ).resolves.toBeDefined();
    });

    it('passes on the refusal of a deactivated member (MEMBER_INACTIVE) and gives the seat back', async () => {
      const event = await h.newEvent({ price: 10, capacity: 1 });
      const member = await h.member(50);
      await h.club.deactivate(member);

      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.MEMBER_INACTIVE);

      expect(await h.balanceOf(member)).toBe(50);
      expect(await h.ledger.eventMovementsOf(member)).toEqual([]);
      expect(await h.rows.seatsTakenOf(event.id)).toBe(0);
    });

    it('answers ALREADY_JOINED to a second join, also when both arrive at once', async () => {
      const event = await h.newEvent({ price: 3 });
      const member = await h.member(100);

      const both = await Promise.allSettled([
        h.replicas[0].participation.join({ event_id: event.id, member_id: member }),
        h.replicas[1].participation.join({ event_id: event.id, member_id: member }),
      ]);
      expect(both.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.ALREADY_JOINED);
      expect(await h.balanceOf(member)).toBe(97);
      expect(await h.ledger.eventMovementsOf(member)).toHaveLength(1);
    });

    it('answers ALREADY_JOINED rather than EVENT_FULL to a member holding the last seat', async () => {
      const event = await h.newEvent({ capacity: 1 });
      const member = await h.member(0);
      await h.participation.join({ event_id: event.id, member_id: member });
      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.ALREADY_JOINED);
    });

    it.each([
      ['inactive', { is_active: false }],
      ['already started', { start_date: inDays(-1 / 24) }],
    ])('refuses an %s event with EVENT_NOT_JOINABLE', async (_label, overrides) => {
      const event = await h.newEvent({ price: 1, ...overrides });
      const member = await h.member(10);
      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.EVENT_NOT_JOINABLE);
      expect(await h.balanceOf(member)).toBe(10);
    });

    it('answers EVENT_NOT_FOUND for an unknown event', async () => {
      const member = await h.member(10);
      expect(
        await errorCodeOf(
          h.participation.join({
            event_id: '6f1c1f4e-8b9a-4c3e-9d2f-0a1b2c3d4e5f',
            member_id: member,
          }),
        ),
      ).toBe(ErrorCode.EVENT_NOT_FOUND);
    });

    it('joins a free event without touching the ledger', async () => {
      const event = await h.newEvent({ price: 0 });
      const member = await h.member(7);
      await expect(
        h.participation.join({ event_id: event.id, member_id: member }),
      ).resolves.toMatchObject({
        balance: 7,
      });
      expect(await h.ledger.eventMovementsOf(member)).toEqual([]);
    });

    it('leaves first_event to the users service, which awards it once from event.participant_joined', async () => {
      const member = await h.member(0);
      const [a, b] = [await h.newEvent(), await h.newEvent()];

      const calls = await usersCallsDuring(async () => {
        await h.participation.join({ event_id: a.id, member_id: member });
        await h.participation.join({ event_id: b.id, member_id: member });
      });

      // No call of its own on the join path.
      expect(calls.filter((c) => c.pattern === USERS.AWARD_ACHIEVEMENT)).toEqual([]);
      // The users service consumes both joins' events and holds the achievement once.
      let achievements = 0;
      for (let tries = 0; tries < 250 && achievements === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { profile } = await h.platform.bus.send(USERS.GET_PROFILE, { member_id: member });
        achievements = profile.achievements_count;
      }
      expect(achievements).toBe(1);
      await expect(
        h.platform.bus.send(USERS.AWARD_ACHIEVEMENT, {
          member_id: member,
          code: AchievementCode.FIRST_EVENT,
        }),
      ).resolves.toMatchObject({ awarded: false });
    });
  });

  describe('leave', () => {
    it('frees the seat and refunds the price exactly once; a second leave is NOT_JOINED', async () => {
      const event = await h.newEvent({ price: 10, capacity: 1 });
      const member = await h.member(10);
      await h.participation.join({ event_id: event.id, member_id: member });

      const first = await h.participation.leave({ event_id: event.id, member_id: member });
      const second = await errorCodeOf(
        h.participation.leave({ event_id: event.id, member_id: member }),
      );

      expect(first).toMatchObject({ refunded: 10, balance: 10 });
      expect(second).toBe(ErrorCode.NOT_JOINED);
      expect(await h.balanceOf(member)).toBe(10);
      const movements = await h.ledger.eventMovementsOf(member);
      expect(movements.map((m) => [m.amount, m.kind, m.reason])).toEqual([
        [-10, 'debit', `Event: ${event.title}`],
        [10, 'credit', `Refund: ${event.title}`],
      ]);
      expect(
        await Promise.all([
          h.ledger.transactionOfKey({
            memberId: member,
            key: `join:${event.id}:${member}`,
            amount: -10,
          }),
          h.ledger.transactionOfKey({
            memberId: member,
            key: `join-refund:${event.id}:${member}:1`,
            amount: 10,
          }),
        ]),
      ).toEqual(movements.map((m) => m.id));
      expect(await h.rows.seatsTakenOf(event.id)).toBe(0);
      await expect(
        h.published.waitFor(EVENT_EVENTS.PARTICIPANT_LEFT, (p) => p.member_id === member),
      ).resolves.toMatchObject({ event_id: event.id, member_id: member, refunded: 10 });
    });

    it('refunds once when two leaves race on two replicas', async () => {
      const event = await h.newEvent({ price: 10 });
      const member = await h.member(10);
      await h.participation.join({ event_id: event.id, member_id: member });

      const both = await Promise.allSettled([
        h.replicas[0].participation.leave({ event_id: event.id, member_id: member }),
        h.replicas[1].participation.leave({ event_id: event.id, member_id: member }),
      ]);

      expect(both.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await h.balanceOf(member)).toBe(10);
      const movements = await h.ledger.eventMovementsOf(member);
      expect(movements.filter((m) => m.amount > 0)).toHaveLength(1);
    });

    it('charges a rejoin again (new attempt, new key) and refunds it again on leaving', async () => {
      const event = await h.newEvent({ price: 4 });
      const member = await h.member(10);
      await h.participation.join({ event_id: event.id, member_id: member });
      await h.participation.leave({ event_id: event.id, member_id: member });
      const rejoined = await h.participation.join({ event_id: event.id, member_id: member });

      expect(rejoined.balance).toBe(6);
      await h.participation.leave({ event_id: event.id, member_id: member });
      expect(await h.balanceOf(member)).toBe(10);
      const movements = await h.ledger.eventMovementsOf(member);
      expect(movements.map((m) => m.amount)).toEqual([-4, 4, -4, 4]);
      const keys = [
        [`join:${event.id}:${member}`, -4],
        [`join-refund:${event.id}:${member}:1`, 4],
        [`join:${event.id}:${member}:2`, -4],
        [`join-refund:${event.id}:${member}:2`, 4],
      ] as const;
      expect(
        await Promise.all(
          keys.map(([key, amount]) => h.ledger.transactionOfKey({ memberId: member, key, amount })),
        ),
      ).toEqual(movements.map((m) => m.id));
    });

    it('refuses to leave an event that has started', async () => {
      const event = await h.newEvent({ price: 2 });
      const member = await h.member(2);
      await h.participation.join({ event_id: event.id, member_id: member });
      await h.sql(
        `UPDATE events.events SET start_date = now() - interval '1 minute' WHERE id = $1`,
        [event.id],
      );

      expect(
        await errorCodeOf(h.participation.leave({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.EVENT_NOT_JOINABLE);
      expect(await h.balanceOf(member)).toBe(0);
    });
  });

  describe('participants', () => {
    it('lists participants as public profiles in joining order with one users call', async () => {
      const event = await h.newEvent();
      const members = [await h.member(), await h.member(), await h.member()];
      for (const member of members)
        await h.participation.join({ event_id: event.id, member_id: member });
      // The users service awards first_event when event.participant_joined reaches it (through
      // the outbox, just after the join answers): wait for the three awards, then list.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const listed = await h.participation.listParticipants({
          event_id: event.id,
          limit: 10,
          offset: 0,
        });
        if (listed.participants.every((p) => p.achievements_count === 1)) break;
        if (Date.now() > deadline) throw new Error('first_event was not awarded to all three');
        await new Promise((r) => setTimeout(r, 100));
      }

      let page: Awaited<ReturnType<ParticipationService['listParticipants']>> | undefined;
      const calls = await usersCallsDuring(async () => {
        page = await h.participation.listParticipants({ event_id: event.id, limit: 10, offset: 0 });
      });

      expect(page?.total).toBe(3);
      expect(page?.participants.map((p) => p.id)).toEqual(members);
      expect(Object.keys(page?.participants[0] ?? {}).sort()).toEqual([
        'achievements_count',
        'created_at',
        'full_name',
        'id',
        'joined_at',
        'photo_url',
        'referral_code',
        'role',
      ]);
      // Real profiles from users: the first join earned each of them first_event.
      expect(page?.participants.every((p) => p.achievements_count === 1)).toBe(true);
      expect(calls.map((c) => c.pattern)).toEqual([USERS.GET_PUBLIC_PROFILES]);
    });

    it('lists an event’s audience (seated and waiting, not those who left) by member id, a page at a time', async () => {
      const event = await h.newEvent({ capacity: 2 });
      const [seated, gone, next, waiting] = [
        await h.member(),
        await h.member(),
        await h.member(),
        await h.member(),
      ];
      for (const member of [seated, gone])
        await h.participation.join({ event_id: event.id, member_id: member });
      await h.participation.leave({ event_id: event.id, member_id: gone });
      await h.participation.join({ event_id: event.id, member_id: next });
      await h.waitlist.join({ event_id: event.id, member_id: waiting });
      const audience = [seated, next, waiting].sort();

      const first = await h.participation.listAudience({ event_id: event.id, limit: 2 });
      expect(first).toEqual({ member_ids: audience.slice(0, 2), next: audience[1] });
      const rest = await h.participation.listAudience({
        event_id: event.id,
        limit: 2,
        after: first.next ?? undefined,
      });
      expect(rest).toEqual({ member_ids: audience.slice(2), next: null });
    });

    it('lists a member’s events, upcoming soonest first, then past ones', async () => {
      const member = await h.member(0);
      const later = await h.newEvent({ start_date: inDays(20) });
      const sooner = await h.newEvent({ start_date: inDays(2) });
      const past = await h.newEvent({ start_date: inDays(3) });
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
    const event = await h.newEvent();
    const admin = await h.club.adminMember();
    await expect(
      h.events.deactivate({
        event_id: event.id,
        actor_id: admin.id,
        actor_role: MemberRole.ADMIN,
      }),
    ).resolves.toMatchObject({ is_active: false });
  });
});
