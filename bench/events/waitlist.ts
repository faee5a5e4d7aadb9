import type Redis from 'ioredis';
import { Client } from 'pg';
import { joinDebitKey, joinRefundKey } from '../../apps/events/src/participation/coin-keys';
import { pool } from '../lib';
import { call, callOrFail, expectOk, Member, membersWithCoins, tally } from './http';
import { EventLag, eventLag, sleep, streamEvents } from './outbox';

export interface WaitlistRun {
  seats: number;
  waitlist: number;
  leavers: number;
  price: number;
  /** From the leaves' start until every leave was answered. */
  leavesAnsweredMs: number;
  /**
   * From the leaves' start until every leave committed and every promotion settled: no seat
   * `pending`, no entry `promoting`, and the seats back to capacity or nobody waiting.
   */
  promotionsSettledMs: number;
  /** ... and every leaver's refund confirmed (`refund_state` done). */
  refundsDoneMs: number;
  leaveStatuses: Record<string, number>;
  /** Waitlist entries by status after the run. */
  waitlistStatuses: Record<string, number>;
  observed: Record<string, number>;
  invariants: Record<string, boolean>;
  /** Per event, from `occurred_at` to the stream, for the events published since the leaves. */
  outboxLag: EventLag;
}

interface EventState {
  seats_taken: number;
  capacity: number;
  left: number;
  pending: number;
  promoting: number;
  waiting: number;
  refunds_due: number;
}

async function eventState(db: Client, eventId: string): Promise<EventState> {
  const { rows } = await db.query<EventState>(
    `SELECT e.seats_taken, e.capacity,
            count(p.*) FILTER (WHERE p.status = 'left')::int AS left,
            count(p.*) FILTER (WHERE p.status = 'pending')::int AS pending,
            count(p.*) FILTER (WHERE p.refund_state = 'due')::int AS refunds_due,
            (SELECT count(*) FILTER (WHERE w.status = 'promoting')::int FROM events.waitlist w
              WHERE w.event_id = e.id) AS promoting,
            (SELECT count(*) FILTER (WHERE w.status = 'waiting')::int FROM events.waitlist w
              WHERE w.event_id = e.id) AS waiting
       FROM events.events e LEFT JOIN events.participants p ON p.event_id = e.id
      WHERE e.id = $1
      GROUP BY e.id`,
    [eventId],
  );
  return rows[0];
}

/**
 * The waitlist under a burst of leaves: an event of `seats` seats filled by as many members,
 * `waitlist` more in its line, then `leavers` of the seated leave at once through the gateway.
 * Measures the time until every promotion settled (polling the database every 10 ms) and checks
 * the seats, the ledger (keys per attempt) and the line order.
 */
export async function waitlistBurst(args: {
  gateway: string;
  db: Client;
  redis: Redis;
  redisPrefix: string;
  botToken: string;
  admin: Member;
  firstTelegramId: number;
  seats: number;
  waitlist: number;
  leavers: number;
  price: number;
  coins: number;
  timeoutMs?: number;
}): Promise<WaitlistRun> {
  const { gateway, db, seats, waitlist, price, coins } = args;
  const leaverCount = Math.min(args.leavers, seats);
  const timeoutMs = args.timeoutMs ?? 120_000;

  process.stdout.write(
    `Waitlist: signing in ${seats + waitlist} members with ${coins} coins each...\n`,
  );
  const members = await membersWithCoins({
    gateway,
    botToken: args.botToken,
    admin: args.admin,
    firstTelegramId: args.firstTelegramId,
    count: seats + waitlist,
    coins,
  });
  const seated = members.slice(0, seats);
  const waiting = members.slice(seats);
  const event = await expectOk<{ id: string }>(
    'create event',
    call('POST', `${gateway}/api/v1/events`, {
      token: args.admin.token,
      body: {
        title: 'Bench: the waitlist one',
        start_date: new Date(Date.now() + 86_400_000).toISOString(),
        capacity: seats,
        price,
      },
    }),
  );
  process.stdout.write(
    `Waitlist: ${seats} members take every seat, ${waitlist} join the line...\n`,
  );
  await pool(seated, 32, (m) =>
    expectOk('join', call('POST', `${gateway}/api/v1/events/${event.id}/join`, { token: m.token })),
  );
  await pool(waiting, 32, (m) =>
    expectOk(
      'join the waitlist',
      call('POST', `${gateway}/api/v1/events/${event.id}/waitlist`, { token: m.token }),
    ),
  );
  const { rows: line } = await db.query<{ member_id: string }>(
    `SELECT member_id FROM events.waitlist WHERE event_id = $1 AND status = 'waiting'
      ORDER BY joined_waitlist_at, id`,
    [event.id],
  );
  const rank = new Map(line.map((r, i) => [r.member_id, i]));

  const leavers = seated.slice(0, leaverCount);
  process.stdout.write(`Waitlist: ${leaverCount} participants leave at once...\n`);
  const startedWall = Date.now();
  const started = process.hrtime.bigint();
  const sinceStart = () => Number(process.hrtime.bigint() - started) / 1e6;
  let answeredMs = Number.NaN;
  const answers = Promise.all(
    leavers.map((m) =>
      callOrFail('DELETE', `${gateway}/api/v1/events/${event.id}/join`, { token: m.token }),
    ),
  ).then((all) => {
    answeredMs = sinceStart();
    return all;
  });

  let settledMs = Number.NaN;
  let refundsMs = Number.NaN;
  while (sinceStart() < timeoutMs) {
    const s = await eventState(db, event.id);
    const allLeft = s.left >= leaverCount;
    if (
      Number.isNaN(settledMs) &&
      allLeft &&
      s.pending === 0 &&
      s.promoting === 0 &&
      (s.seats_taken >= s.capacity || s.waiting === 0)
    ) {
      settledMs = sinceStart();
    }
    if (!Number.isNaN(settledMs) && s.refunds_due === 0) {
      refundsMs = sinceStart();
      break;
    }
    await sleep(10);
  }
  const leaveAnswers = await answers;

  // The checks.
  const ids = members.map((m) => m.id);
  const leaverIds = new Set(leavers.map((m) => m.id));
  const state = await eventState(db, event.id);
  const { rows: participants } = await db.query<{
    member_id: string;
    attempt: number;
    status: string;
    price: number;
    refund_state: string | null;
  }>(
    `SELECT member_id, attempt, status, price, refund_state FROM events.participants
      WHERE event_id = $1`,
    [event.id],
  );
  const { rows: entries } = await db.query<{ member_id: string; status: string }>(
    'SELECT member_id, status FROM events.waitlist WHERE event_id = $1',
    [event.id],
  );
  const { rows: ledger } = await db.query<{
    member_id: string;
    idempotency_key: string;
    amount: number;
  }>(
    `SELECT member_id, idempotency_key, amount FROM users.coin_transactions
      WHERE member_id = ANY($1::uuid[])`,
    [ids],
  );
  const { rows: balances } = await db.query<{ id: string; up_coins: number }>(
    'SELECT id, up_coins FROM users.members WHERE id = ANY($1::uuid[])',
    [ids],
  );

  const debitPrefix = `join:${event.id}:`;
  const refundPrefix = `join-refund:${event.id}:`;
  const debits = new Map<string, { key: string; amount: number }[]>();
  const refunds = new Map<string, { key: string; amount: number }[]>();
  const otherEventRows = new Map<string, number>();
  const ledgerSum = new Map<string, number>();
  for (const row of ledger) {
    ledgerSum.set(row.member_id, (ledgerSum.get(row.member_id) ?? 0) + row.amount);
    const target = row.idempotency_key.startsWith(debitPrefix)
      ? debits
      : row.idempotency_key.startsWith(refundPrefix)
        ? refunds
        : undefined;
    if (target) {
      target.set(row.member_id, [
        ...(target.get(row.member_id) ?? []),
        { key: row.idempotency_key, amount: row.amount },
      ]);
    } else if (row.idempotency_key.includes(event.id)) {
      otherEventRows.set(row.member_id, (otherEventRows.get(row.member_id) ?? 0) + 1);
    }
  }
  const joined = participants.filter((p) => p.status === 'joined');
  const left = participants.filter((p) => p.status === 'left');
  const joinedIds = new Set(joined.map((p) => p.member_id));
  const byStatus = (status: string) =>
    entries.filter((e) => e.status === status).map((e) => e.member_id);
  const promoted = byStatus('promoted');
  const stillWaiting = byStatus('waiting');
  const served = [...promoted, ...byStatus('skipped')].map((id) => rank.get(id) ?? -1);
  const expectedPromotions = Math.min(leaverCount, waitlist);
  const balanceOf = new Map(balances.map((b) => [b.id, b.up_coins]));

  const invariants = {
    'every leave answered 204': leaveAnswers.every((a) => a.status === 204),
    'every promotion settled: no seat pending, none promoting':
      !Number.isNaN(settledMs) && state.pending === 0 && state.promoting === 0,
    'seats_taken <= capacity': state.seats_taken <= state.capacity,
    'seats_taken = joined participants': state.seats_taken === joined.length,
    'seats back to capacity, or nobody waiting':
      state.seats_taken === state.capacity || state.waiting === 0,
    'promotions = min(leavers, waitlist), none skipped':
      promoted.length === expectedPromotions && byStatus('skipped').length === 0,
    'promotions in waitlist order (the promoted are the head of the line)':
      served.every((r) => r >= 0) &&
      served.sort((a, b) => a - b).every((r, i) => r === i) &&
      stillWaiting.every((id) => (rank.get(id) ?? -1) >= served.length),
    'every promoted member holds a seat': promoted.every((id) => joinedIds.has(id)),
    'exactly one debit per seated member (its attempt key, the price)': joined.every((p) => {
      const rows = debits.get(p.member_id) ?? [];
      return (
        rows.length === 1 &&
        rows[0].key ===
          joinDebitKey({ eventId: event.id, memberId: p.member_id, attempt: p.attempt }) &&
        rows[0].amount === -p.price
      );
    }),
    'one refund per leaver (its attempt key, the price), refund done':
      left.length === leaverCount &&
      left.every((p) => {
        const rows = refunds.get(p.member_id) ?? [];
        return (
          leaverIds.has(p.member_id) &&
          p.refund_state === 'done' &&
          rows.length === 1 &&
          rows[0].key ===
            joinRefundKey({ eventId: event.id, memberId: p.member_id, attempt: p.attempt }) &&
          rows[0].amount === p.price &&
          (debits.get(p.member_id) ?? []).length === 1
        );
      }),
    'no coins moved for members still waiting': stillWaiting.every(
      (id) => !debits.has(id) && !refunds.has(id),
    ),
    'no other ledger rows for this event': otherEventRows.size === 0,
    'ledger sums equal balances': ids.every((id) => (ledgerSum.get(id) ?? 0) === balanceOf.get(id)),
    'balances: seated coins - price, everybody else coins': ids.every(
      (id) => balanceOf.get(id) === (joinedIds.has(id) ? coins - price : coins),
    ),
  };

  const outboxLag = eventLag(
    (await streamEvents(args.redis, args.redisPrefix, 'event.*', startedWall)).filter(
      (e) => e.occurredAtMs >= startedWall,
    ),
  );
  return {
    seats,
    waitlist,
    leavers: leaverCount,
    price,
    leavesAnsweredMs: answeredMs,
    promotionsSettledMs: settledMs,
    refundsDoneMs: refundsMs,
    leaveStatuses: tally(leaveAnswers.map((a) => a.status)),
    waitlistStatuses: tally(entries.map((e) => e.status)),
    observed: {
      seats_taken: state.seats_taken,
      capacity: state.capacity,
      participants_joined: joined.length,
      participants_left: left.length,
      promoted: promoted.length,
      still_waiting: stillWaiting.length,
      debit_rows: [...debits.values()].reduce((n, rows) => n + rows.length, 0),
      refund_rows: [...refunds.values()].reduce((n, rows) => n + rows.length, 0),
    },
    invariants,
    outboxLag,
  };
}
