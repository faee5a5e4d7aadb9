import { randomUUID } from 'node:crypto';
import { ErrorCode, EVENT_EVENTS, USERS } from '@up/contracts';
import { TransactionRunner } from '@up/database';
import { errorCodeOf } from '@up/testing';
import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { JoinRecoveryService } from './join-recovery.service';

/** How long the events replicas wait for users here: a stopped users service costs this per call. */
const BUS_TIMEOUT_MS = 1000;

const NOTHING_SETTLED = { confirmed: 0, released: 0, refunded: 0, deferred: 0 };

/**
 * Joins and refunds interrupted by real failures, settled by the real sweep against the real users
 * service: users stopped (requests never handled: the bus skips them once their caller gave up),
 * answers lost after users applied a change (the state reproduced with the events service's own
 * repository and a coin change over the bus with the attempt's key), users failing internally
 * (its ledger table unavailable), a replica that died between taking a seat and paying.
 */
describe(JoinRecoveryService.name, () => {
  let h: EventsPlatform;

  beforeAll(async () => {
    h = await startEventsPlatform({
      replicas: 2,
      eventsEnv: { BUS_REQUEST_TIMEOUT_MS: String(BUS_TIMEOUT_MS) },
    });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  afterEach(async () => {
    // A failed test must not leave users stopped (or pending work) for the next one.
    await h.startUsers();
    await h.recovery.sweep(0);
  });

  describe('a join whose debit never reached users (users down)', () => {
    it('holds the seat, waits out the grace period, defers while users is away, then charges once and seats', async () => {
      const event = await h.newEvent({ price: 10, capacity: 1 });
      const member = await h.member(10);
      const other = await h.member(10);
      await h.stopUsers();

      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.SERVICE_UNAVAILABLE);
      // The seat stays held meanwhile: nobody else can take it.
      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: other })),
      ).toBe(ErrorCode.EVENT_FULL);
      // Within the grace period the attempt is still a join in progress: left alone.
      expect(await h.recovery.sweep(60_000)).toEqual(NOTHING_SETTLED);
      // Users still away: the repeated debit goes unanswered too; tried again next time.
      expect(await h.recovery.sweep(0)).toEqual({ ...NOTHING_SETTLED, deferred: 1 });
      await h.startUsers();
      // The debits sent while users was down were never applied: their callers had given up.
      expect(await h.balanceOf(member)).toBe(10);

      const report = await h.replicas[1].recovery.sweep(0);

      expect(report).toEqual({ ...NOTHING_SETTLED, confirmed: 1 });
      expect(await h.rows.participantsOf(event.id)).toEqual([
        { member_id: member, status: 'joined' },
      ]);
      expect(await h.balanceOf(member)).toBe(0);
      const movements = await h.ledger.eventMovementsOf(member);
      expect(movements).toHaveLength(1);
      expect(
        await h.ledger.transactionOfKey({
          memberId: member,
          key: `join:${event.id}:${member}`,
          amount: -10,
        }),
      ).toBe(movements[0].id);
      await expect(
        h.published.waitFor(EVENT_EVENTS.PARTICIPANT_JOINED, (p) => p.member_id === member),
      ).resolves.toMatchObject({ event_id: event.id, price: 10 });
    });

    it('gives the seat back when users refuses the repeated debit', async () => {
      const event = await h.newEvent({ price: 10, capacity: 1 });
      const member = await h.member(10);
      await h.stopUsers();
      await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member }));
      await h.startUsers();
      // Meanwhile the member spent the coins elsewhere.
      await h.platform.bus.send(USERS.DEBIT_COINS, {
        member_id: member,
        amount: 7,
        idempotency_key: `shop:${randomUUID()}`,
        reason: 'Club shop',
      });

      const report = await h.recovery.sweep(0);

      expect(report).toEqual({ ...NOTHING_SETTLED, released: 1 });
      expect(await h.rows.seatsTakenOf(event.id)).toBe(0);
      expect(await h.balanceOf(member)).toBe(3);
      expect(await h.ledger.eventMovementsOf(member)).toEqual([]);
    });
  });

  it('settles a join whose debit applied but whose answer was lost, without charging twice', async () => {
    const event = await h.newEvent({ price: 10 });
    const member = await h.member(30);
    // What a lost answer leaves behind: the seat reserved and pending (step 1 of the join), the
    // debit applied by users under the attempt's key, and no confirmation.
    await h.participation.reserve(event.id, member);
    await h.platform.bus.send(USERS.DEBIT_COINS, {
      member_id: member,
      amount: 10,
      idempotency_key: `join:${event.id}:${member}`,
      reason: `Event: ${event.title}`,
    });

    const reports = await Promise.all([
      h.replicas[0].recovery.sweep(0),
      h.replicas[1].recovery.sweep(0),
    ]);

    expect(reports.reduce((sum, r) => sum + r.confirmed, 0)).toBe(1);
    expect(await h.balanceOf(member)).toBe(20);
    expect(await h.ledger.eventMovementsOf(member)).toHaveLength(1);
    expect(await h.rows.participantsOf(event.id)).toEqual([
      { member_id: member, status: 'joined' },
    ]);
  });

  it('defers an attempt while users fails internally, and settles it once users works again', async () => {
    const event = await h.newEvent({ price: 5 });
    const member = await h.member(5);
    // A real failure inside users: its ledger table is gone, so a debit fails with a 500.
    await h.sql(`ALTER TABLE users.coin_transactions RENAME TO coin_transactions_unavailable`);
    try {
      expect(
        await errorCodeOf(h.participation.join({ event_id: event.id, member_id: member })),
      ).toBe(ErrorCode.SERVICE_UNAVAILABLE);
      expect(await h.recovery.sweep(0)).toEqual({ ...NOTHING_SETTLED, deferred: 1 });
    } finally {
      await h.sql(`ALTER TABLE users.coin_transactions_unavailable RENAME TO coin_transactions`);
    }

    expect(await h.recovery.sweep(0)).toEqual({ ...NOTHING_SETTLED, confirmed: 1 });
    expect(await h.balanceOf(member)).toBe(0);
    expect(await h.ledger.eventMovementsOf(member)).toHaveLength(1);
  });

  it('gives the seat back of a replica that died before paying, when the member is deactivated meanwhile', async () => {
    const event = await h.newEvent({ price: 10, capacity: 1 });
    const member = await h.member(10);
    // Step 1 of a join committed, then its replica went away before asking users for anything.
    await h.participation.reserve(event.id, member);
    await h.club.deactivate(member);

    expect(await h.recovery.sweep(0)).toEqual({ ...NOTHING_SETTLED, released: 1 });

    expect(await h.rows.seatsTakenOf(event.id)).toBe(0);
    expect(await h.rows.participantsOf(event.id)).toEqual([
      { member_id: member, status: 'failed' },
    ]);
    expect(await h.balanceOf(member)).toBe(10);
    expect(await h.ledger.eventMovementsOf(member)).toEqual([]);
  });

  describe('refunds', () => {
    it('keeps a refund owed while users is down and the sweep pays it once', async () => {
      const event = await h.newEvent({ price: 6 });
      const member = await h.member(6);
      await h.participation.join({ event_id: event.id, member_id: member });
      await h.stopUsers();

      const left = await h.participation.leave({ event_id: event.id, member_id: member });

      expect(left).toMatchObject({ refunded: 6, balance: null });
      expect(await h.rows.refundStatesOf(event.id)).toEqual(['due']);
      await h.startUsers();
      expect(await h.recovery.sweep(0)).toEqual({ ...NOTHING_SETTLED, refunded: 1 });
      expect(await h.recovery.sweep(0)).toEqual(NOTHING_SETTLED);
      expect(await h.balanceOf(member)).toBe(6);
      expect((await h.ledger.eventMovementsOf(member)).map((m) => m.amount)).toEqual([-6, 6]);
      expect(await h.rows.refundStatesOf(event.id)).toEqual(['done']);
    });

    it('repeats a refund whose answer was lost without paying twice', async () => {
      const event = await h.newEvent({ price: 6 });
      const member = await h.member(6);
      await h.participation.join({ event_id: event.id, member_id: member });
      // What a lost answer leaves behind: the seat left and its refund owed (one statement of the
      // events service), the credit applied by users under the attempt's refund key.
      await h.app
        .get(TransactionRunner)
        .run(({ manager }) => h.seats.leave(manager, event.id, member));
      await h.platform.bus.send(USERS.CREDIT_COINS, {
        member_id: member,
        amount: 6,
        idempotency_key: `join-refund:${event.id}:${member}:1`,
        reason: `Refund: ${event.title}`,
      });

      await h.recovery.sweep(0);
      await h.recovery.sweep(0);

      expect(await h.balanceOf(member)).toBe(6);
      const movements = await h.ledger.eventMovementsOf(member);
      expect(movements.filter((m) => m.amount > 0)).toHaveLength(1);
      expect(await h.rows.refundStatesOf(event.id)).toEqual(['done']);
    });
  });
});
