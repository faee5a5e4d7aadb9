import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '@up/database';
import type { MemberTx } from '../members/member-transactions';
import { MergeCause, MergeStep } from './member-merge.entity';

export interface MergeRow {
  id: string;
  fromMemberId: string;
  intoMemberId: string;
  step: MergeStep;
}

interface RawMergeRow {
  id: string;
  from_member_id: string;
  into_member_id: string;
  step: MergeStep;
}

const toMerge = (row: RawMergeRow): MergeRow => ({
  id: row.id,
  fromMemberId: row.from_member_id,
  intoMemberId: row.into_member_id,
  step: row.step,
});

/**
 * `users.member_merges` (the saga's state) and the statements a merge runs on what the two
 * members own in this schema: referees, referral rewards, achievements.
 */
@Injectable()
export class MemberMergesRepository {
  async create(
    tx: MemberTx,
    row: { fromMemberId: string; intoMemberId: string; cause: MergeCause },
  ): Promise<MergeRow> {
    const created = await queryOne<RawMergeRow>(
      tx.manager,
      `INSERT INTO users.member_merges (from_member_id, into_member_id, cause, step)
       VALUES ($1, $2, $3, 'events')
       RETURNING id, from_member_id, into_member_id, step`,
      [row.fromMemberId, row.intoMemberId, row.cause],
    );
    if (!created) throw new Error('member_merges insert returned no row');
    return toMerge(created);
  }

  async find(manager: EntityManager, id: string): Promise<MergeRow | undefined> {
    const row = await queryOne<RawMergeRow>(
      manager,
      `SELECT id, from_member_id, into_member_id, step FROM users.member_merges WHERE id = $1`,
      [id],
    );
    return row && toMerge(row);
  }

  /**
   * Takes an unfinished merge for `leaseMs` (its next attempt moves out by that much), so one
   * replica at a time drives it; undefined when it is done, or another replica holds it (unless
   * `force`: the request that started it drives it at once).
   */
  async claim(
    manager: EntityManager,
    args: { id: string; leaseMs: number; force?: boolean },
  ): Promise<MergeRow | undefined> {
    const row = await queryOne<RawMergeRow>(
      manager,
      `UPDATE users.member_merges
          SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id = $1 AND step <> 'done' AND ($3::boolean OR next_attempt_at <= now())
        RETURNING id, from_member_id, into_member_id, step`,
      [args.id, args.leaseMs, args.force ?? false],
    );
    return row && toMerge(row);
  }

  /** Unfinished merges whose next attempt is due, oldest first. */
  async dueIds(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `SELECT id FROM users.member_merges
        WHERE step <> 'done' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Moves `from` → `to` if the merge is still at `from` (a repeat changes nothing). */
  async advance(
    manager: EntityManager,
    args: { id: string; from: MergeStep; to: MergeStep },
  ): Promise<void> {
    await queryRows(
      manager,
      `UPDATE users.member_merges
          SET step = $3::varchar, attempts = 0, last_error = NULL, next_attempt_at = now(),
              completed_at = CASE WHEN $3::varchar = 'done' THEN now() END
        WHERE id = $1 AND step = $2`,
      [args.id, args.from, args.to],
    );
  }

  /** A failed step: retried after `delayMs`, with what went wrong for operators. */
  async recordFailure(
    manager: EntityManager,
    args: { id: string; error: string; delayMs: number },
  ): Promise<void> {
    await queryRows(
      manager,
      `UPDATE users.member_merges
          SET attempts = attempts + 1, last_error = $2,
              next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1`,
      [args.id, args.error.slice(0, 2000), args.delayMs],
    );
  }

  /** Locks the merge's row for the rest of the transaction and answers its step. */
  async lockStep(tx: MemberTx, id: string): Promise<MergeStep | undefined> {
    const row = await queryOne<{ step: MergeStep }>(
      tx.manager,
      `SELECT step FROM users.member_merges WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row?.step;
  }

  async attemptsOf(manager: EntityManager, id: string): Promise<number> {
    const row = await queryOne<{ attempts: number }>(
      manager,
      `SELECT attempts FROM users.member_merges WHERE id = $1`,
      [id],
    );
    return row?.attempts ?? 0;
  }

  /**
   * Members `from` brought in now count for `into` (not `into` itself, which keeps its own
   * referrer), and so do their rewards, paid or waiting.
   */
  async moveReferrals(tx: MemberTx, args: { from: string; into: string }): Promise<void> {
    const moved = await queryRows<{ id: string; version: number }>(
      tx.manager,
      `UPDATE users.members SET referred_by = $2, version = version + 1, updated_at = now()
        WHERE referred_by = $1 AND id <> $2
        RETURNING id, version`,
      [args.from, args.into],
    );
    for (const row of moved) tx.memberChanged(row.id, row.version);
    await queryRows(
      tx.manager,
      `UPDATE users.referral_rewards SET referrer_id = $2
        WHERE referrer_id = $1 AND referee_id <> $2`,
      [args.from, args.into],
    );
  }

  /**
   * `into` gets every achievement `from` had (the earlier award date where both have one), and its
   * count follows. Answers the new count.
   */
  async combineAchievements(tx: MemberTx, args: { from: string; into: string }): Promise<number> {
    await queryRows(
      tx.manager,
      `INSERT INTO users.achievements (member_id, code, awarded_at)
       SELECT $2, code, awarded_at FROM users.achievements WHERE member_id = $1
       ON CONFLICT (member_id, code)
       DO UPDATE SET awarded_at = LEAST(users.achievements.awarded_at, EXCLUDED.awarded_at)`,
      [args.from, args.into],
    );
    const row = await queryOne<{ count: number }>(
      tx.manager,
      `SELECT count(*)::int AS count FROM users.achievements WHERE member_id = $1`,
      [args.into],
    );
    return row?.count ?? 0;
  }
}
