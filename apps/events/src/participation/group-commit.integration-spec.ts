import { ErrorCode, EVENT_EVENTS } from '@up/contracts';
import { EventsPlatform, startEventsPlatform } from '../../test/events-platform.harness';
import { MembersClient } from '../members/members.client';
import { SeatSettlement } from './seat-settlement.service';

/**
 * The joins, confirmations and leaves of one event that arrive together share one transaction
 * (KeyedBatcher). These tests send them together on one replica, so that they are grouped, and
 * check the seats and the ledger; and that a group that fails midway loses nothing and pays
 * nothing twice: it is rolled back whole and each of its members goes through alone.
 */
describe('group commit of joins and leaves', () => {
  let h: EventsPlatform;

  beforeAll(async () => {
    h = await startEventsPlatform({ replicas: 1 });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  afterEach(() => jest.restoreAllMocks());

  /** The code of a refusal (a DomainError, as the bus would carry it). */
  const codeOf = (error: unknown) => (error as { code?: string }).code ?? String(error);

  const members = (n: number, coins: number) =>
    Promise.all(Array.from({ length: n }, () => h.member(coins)));

  /** Seated participants of the event, and every debit and refund of its members. */
  async function settledState(eventId: string, ids: string[]) {
    const seats = await h.sql<{ seats_taken: number }[]>(
      'SELECT seats_taken FROM events.events WHERE id = $1',
      [eventId],
    );
    const joined = await h.sql<{ member_id: string }[]>(
      `SELECT member_id FROM events.participants WHERE event_id = $1 AND status = 'joined'`,
      [eventId],
    );
    const movements = await Promise.all(ids.map((id) => h.ledger.eventMovementsOf(id)));
    return {
      seatsTaken: seats[0].seats_taken,
      joined: new Set(joined.map((r) => r.member_id)),
      movements: new Map(ids.map((id, i) => [id, movements[i].map((m) => m.amount)])),
    };
  }

  it('seats as many joins as there are seats and refuses the rest, each debited once', async () => {
    const event = await h.newEvent({ price: 10, capacity: 5 });
    const ids = await members(12, 30);

    const outcomes = await Promise.all(
      ids.map((id) =>
        h.participation
          .join({ event_id: event.id, member_id: id })
          .then(() => 'joined')
          .catch(codeOf),
      ),
    );

    expect(outcomes.filter((o) => o === 'joined')).toHaveLength(5);
    expect(outcomes.filter((o) => o === ErrorCode.EVENT_FULL)).toHaveLength(7);
    const state = await settledState(event.id, ids);
    expect(state.seatsTaken).toBe(5);
    ids.forEach((id, i) => {
      const joined = outcomes[i] === 'joined';
      expect(state.joined.has(id)).toBe(joined);
      expect(state.movements.get(id)).toEqual(joined ? [-10] : []);
    });
  });

  it('answers ALREADY_JOINED to a member who asks twice in one group', async () => {
    const event = await h.newEvent({ price: 10, capacity: 5 });
    const [first, twice] = await members(2, 30);

    const outcomes = await Promise.all(
      [first, twice, twice].map((id) =>
        h.participation
          .join({ event_id: event.id, member_id: id })
          .then(() => 'joined')
          .catch(codeOf),
      ),
    );

    expect(outcomes.sort()).toEqual([ErrorCode.ALREADY_JOINED, 'joined', 'joined'].sort());
    expect((await h.ledger.eventMovementsOf(twice)).map((m) => m.amount)).toEqual([-10]);
  });

  it('a reservation group that fails midway is rolled back and every join goes through alone', async () => {
    const event = await h.newEvent({ price: 10, capacity: 3 });
    const ids = await members(6, 30);
    // The group statement fails after the lock and the checks (as a lost connection would).
    const takeSeats = jest
      .spyOn(h.seats, 'takeSeats')
      .mockRejectedValueOnce(new Error('connection lost mid-group'));

    const outcomes = await Promise.all(
      ids.map((id) =>
        h.participation
          .join({ event_id: event.id, member_id: id })
          .then(() => 'joined')
          .catch(codeOf),
      ),
    );

    expect(takeSeats).toHaveBeenCalled();
    expect(outcomes.filter((o) => o === 'joined')).toHaveLength(3);
    expect(outcomes.filter((o) => o === ErrorCode.EVENT_FULL)).toHaveLength(3);
    const state = await settledState(event.id, ids);
    expect(state.seatsTaken).toBe(3);
    ids.forEach((id, i) =>
      expect(state.movements.get(id)).toEqual(outcomes[i] === 'joined' ? [-10] : []),
    );
  });

  it('a confirmation group that fails is settled seat by seat: every paid seat joined, debited once', async () => {
    const event = await h.newEvent({ price: 10, capacity: 10 });
    const ids = await members(4, 30);
    const settlement = h.app.get(SeatSettlement);
    const seats = await Promise.all(ids.map((id) => h.participation.reserveOne(event.id, id)));
    for (const seat of seats) expect((await settlement.pay(seat)).kind).toBe('paid');
    // The group's statement fails: nothing of the group is written, each seat goes alone.
    const confirmMany = jest
      .spyOn(h.seats, 'confirmMany')
      .mockRejectedValueOnce(new Error('connection lost mid-group'));

    const settled = await settlement.confirmGroup(event.id, seats);

    // Once for the group (which fails), then once per seat: a lone confirmation is a group of one.
    expect(confirmMany.mock.calls.map(([, seatIds]) => seatIds.length)).toEqual([4, 1, 1, 1, 1]);
    expect(settled.map((s) => (s instanceof Error ? s.message : s.kind))).toEqual(
      ids.map(() => 'joined'),
    );
    // A group that runs again finds them confirmed and changes nothing.
    expect(
      (await settlement.confirmGroup(event.id, seats)).map((s) =>
        s instanceof Error ? s.message : s.kind === 'joined' && s.byUs,
      ),
    ).toEqual(ids.map(() => false));
    const state = await settledState(event.id, ids);
    expect(state.seatsTaken).toBe(4);
    for (const id of ids) {
      expect(state.joined.has(id)).toBe(true);
      expect(state.movements.get(id)).toEqual([-10]);
    }
    const joinedEvents = await h.sql<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM events.participants WHERE event_id = $1 AND status = 'pending'`,
      [event.id],
    );
    expect(joinedEvents).toEqual([{ n: 0 }]);
  });

  it('a confirmation group confirms every pending seat in one go', async () => {
    const event = await h.newEvent({ price: 10, capacity: 10 });
    const ids = await members(3, 30);
    const settlement = h.app.get(SeatSettlement);
    const seats = await Promise.all(ids.map((id) => h.participation.reserveOne(event.id, id)));
    for (const seat of seats) await settlement.pay(seat);
    const confirmOne = jest.spyOn(settlement, 'confirmOne');

    const settled = await settlement.confirmGroup(event.id, seats);

    expect(confirmOne).not.toHaveBeenCalled();
    expect(settled.map((s) => !(s instanceof Error) && s.kind === 'joined' && s.byUs)).toEqual([
      true,
      true,
      true,
    ]);
    const joined = await h.published.waitFor(
      EVENT_EVENTS.PARTICIPANT_JOINED,
      (p) => p.event_id === event.id && p.member_id === ids[2],
    );
    expect(joined).toMatchObject({ price: 10, from_waitlist: false });
  });

  it('a group debit whose answer is lost leaves the seats pending; the sweep pays each once', async () => {
    const event = await h.newEvent({ price: 10, capacity: 10 });
    const ids = await members(3, 30);
    const settlement = h.app.get(SeatSettlement);
    const client = h.app.get(MembersClient);
    const seats = await Promise.all(ids.map((id) => h.participation.reserveOne(event.id, id)));
    // users applies the group, but its answer never arrives (a timeout).
    const debitMany = client.debitMany.bind(client);
    jest.spyOn(client, 'debitMany').mockImplementationOnce(async (changes) => {
      await debitMany(changes);
      throw new Error('no reply in time');
    });

    const payments = await settlement.payGroup(seats);

    expect(payments.map((p) => p.kind)).toEqual(['unknown', 'unknown', 'unknown']);
    const report = await h.recovery.sweep(0);
    expect(report.confirmed).toBeGreaterThanOrEqual(3);
    const state = await settledState(event.id, ids);
    for (const id of ids) {
      expect(state.joined.has(id)).toBe(true);
      expect(state.movements.get(id)).toEqual([-10]);
    }
  });

  it('a refusal in a group debit gives that seat back and pays the others', async () => {
    const event = await h.newEvent({ price: 10, capacity: 10 });
    const [rich, poor] = [await h.member(30), await h.member(5)];
    const settlement = h.app.get(SeatSettlement);
    const seats = await Promise.all(
      [rich, poor].map((id) => h.participation.reserveOne(event.id, id)),
    );

    const payments = await settlement.payGroup(seats);

    expect(payments[0]).toEqual({ kind: 'paid', balance: 20 });
    expect(payments[1]).toMatchObject({
      kind: 'refused',
      error: { code: ErrorCode.INSUFFICIENT_COINS },
    });
    expect(await h.balanceOf(poor)).toBe(5);
  });

  it('leaves that arrive together are refunded once each and their seats go to the line in order', async () => {
    const event = await h.newEvent({ price: 10, capacity: 4 });
    const seated = await members(4, 30);
    const waiting = await members(3, 30);
    for (const id of seated) await h.participation.join({ event_id: event.id, member_id: id });
    for (const id of waiting) await h.waitlist.join({ event_id: event.id, member_id: id });
    const leavers = seated.slice(0, 3);
    // The third leave's turn fails inside the group: the group is rolled back whole.
    const settlement = h.app.get(SeatSettlement);
    const leaveLocked = settlement.leaveLocked.bind(settlement);
    let turn = 0;
    jest.spyOn(settlement, 'leaveLocked').mockImplementation((tx, args) => {
      turn += 1;
      if (turn === 3) return Promise.reject(new Error('connection lost mid-group'));
      return leaveLocked(tx, args);
    });

    const answers = await Promise.all(
      [...leavers, leavers[0]].map((id) =>
        h.participation
          .leave({ event_id: event.id, member_id: id })
          .then((result) => result.refunded)
          .catch(codeOf),
      ),
    );

    // Each leaver refunded once; asking twice is NOT_JOINED the second time.
    expect(answers.filter((a) => a === 10)).toHaveLength(3);
    expect(answers.filter((a) => a === ErrorCode.NOT_JOINED)).toHaveLength(1);
    const state = await settledState(event.id, [...seated, ...waiting]);
    for (const id of leavers) expect(state.movements.get(id)).toEqual([-10, 10]);
    // The three freed seats went to the three waiting members, each debited once.
    expect(state.seatsTaken).toBe(4);
    for (const id of waiting) {
      expect(state.joined.has(id)).toBe(true);
      expect(state.movements.get(id)).toEqual([-10]);
    }
  });
});
