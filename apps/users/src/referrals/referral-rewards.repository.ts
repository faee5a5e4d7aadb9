import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryOne, queryRows } from '@up/database';
import type { MemberTx } from '../members/member-transactions';

/** `users.referral_rewards`: one reward per referee, eligible and paid when the rules allow. */
@Injectable()
export class ReferralRewardsRepository {
  async add(
    tx: MemberTx,
    row: { refereeId: string; referrerId: string; eligibleNow: boolean },
  ): Promise<void> {
    await queryRows(
      tx.manager,
      `INSERT INTO users.referral_rewards (referee_id, referrer_id, eligible_at)
       VALUES ($1, $2, CASE WHEN $3::boolean THEN now() END)
       ON CONFLICT (referee_id) DO NOTHING`,
      [row.refereeId, row.referrerId, row.eligibleNow],
    );
  }

  /** Makes the referee's reward payable; answers its referrer, or undefined when it already was (or there is none). */
  async markEligible(tx: MemberTx, refereeId: string): Promise<string | undefined> {
    const row = await queryOne<{ referrer_id: string }>(
      tx.manager,
      `UPDATE users.referral_rewards SET eligible_at = now()
        WHERE referee_id = $1 AND eligible_at IS NULL
        RETURNING referrer_id`,
      [refereeId],
    );
    return row?.referrer_id;
  }

  /** Rewards paid to the referrer since the start of the current UTC day. */
  async countPaidToday(tx: MemberTx, referrerId: string): Promise<number> {
    const row = await queryOne<{ count: number }>(
      tx.manager,
      `SELECT count(*)::int AS count FROM users.referral_rewards
        WHERE referrer_id = $1
          AND paid_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
      [referrerId],
    );
    return row?.count ?? 0;
  }

  /** Up to `limit` payable, unpaid rewards of the referrer, oldest first, locked for this transaction. */
  async takePayable(tx: MemberTx, args: { referrerId: string; limit: number }): Promise<string[]> {
    const rows = await queryRows<{ referee_id: string }>(
      tx.manager,
      `SELECT referee_id FROM users.referral_rewards
        WHERE referrer_id = $1 AND eligible_at IS NOT NULL AND paid_at IS NULL
        ORDER BY eligible_at, referee_id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [args.referrerId, args.limit],
    );
    return rows.map((row) => row.referee_id);
  }

  async markPaid(tx: MemberTx, refereeId: string): Promise<void> {
    await queryRows(
      tx.manager,
      `UPDATE users.referral_rewards SET paid_at = now() WHERE referee_id = $1`,
      [refereeId],
    );
  }

  /** Referrers with payable rewards waiting (from an earlier day's cap), for the sweep. */
  async referrersWithPayable(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await queryRows<{ referrer_id: string }>(
      manager,
      `SELECT DISTINCT referrer_id FROM users.referral_rewards
        WHERE eligible_at IS NOT NULL AND paid_at IS NULL
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.referrer_id);
  }
}
