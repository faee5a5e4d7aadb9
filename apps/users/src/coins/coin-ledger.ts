import { Injectable } from '@nestjs/common';
import { CoinTransactionKind, DomainError, ErrorCode } from '@up/contracts';
import { MemberTx, RetryTransaction } from '../profile-versions/member-transactions';
import { queryRows } from '../shared/query-rows';

export interface LedgerEntry {
  memberId: string;
  /** Signed: negative takes coins away. Never 0. */
  amount: number;
  kind: CoinTransactionKind;
  reason: string;
  idempotencyKey: string;
  actorId?: string | null;
  /** A member's own spending needs an active member; refunds, rewards and adjustments do not. */
  requireActiveMember?: boolean;
}

export interface LedgerOutcome {
  transactionId: string;
  /** The balance right after this transaction (also when answering a repeat). */
  balanceAfter: number;
  /** False when the idempotency key had been applied before and nothing changed now. */
  applied: boolean;
}

interface LedgerRow {
  id: string;
  member_id: string;
  amount: number;
  kind: string;
  balance_after: number;
}

/**
 * Every change of a member's balance: the balance and its ledger row move together in the
 * caller's transaction, and the ledger's unique idempotency key turns a repeat into a no-op that
 * answers like the first call.
 *
 * Concurrency: the conditional UPDATE takes the member's row lock and re-checks the balance on the
 * latest committed value (READ COMMITTED), so concurrent debits serialise per member and none
 * takes the balance below zero. Two calls with the same key that both passed the first lookup
 * meet at the ledger's unique index: the second INSERT waits for the first transaction, finds the
 * key taken, and its transaction runs again from the start, where the lookup now answers.
 */
@Injectable()
export class CoinLedger {
  async apply(tx: MemberTx, entry: LedgerEntry): Promise<LedgerOutcome> {
    if (!Number.isSafeInteger(entry.amount) || entry.amount === 0) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'A coin amount is a non-zero integer');
    }
    const previous = await this.findByKey(tx, entry.idempotencyKey);
    if (previous) return this.answerRepeat(previous, entry);

    const updated = await queryRows<{ up_coins: number; version: number }>(
      tx.manager,
      `UPDATE users.members
          SET up_coins = up_coins + $2, version = version + 1, updated_at = now()
        WHERE id = $1 AND up_coins + $2 >= 0 AND (NOT $3::boolean OR is_active)
        RETURNING up_coins, version`,
      [entry.memberId, entry.amount, entry.requireActiveMember ?? false],
    );
    if (updated.length === 0) await this.explainRefusal(tx, entry);
    const { up_coins: balanceAfter, version } = updated[0];

    const inserted = await queryRows<{ id: string }>(
      tx.manager,
      `INSERT INTO users.coin_transactions
              (member_id, amount, balance_after, kind, reason, idempotency_key, actor_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [
        entry.memberId,
        entry.amount,
        balanceAfter,
        entry.kind,
        entry.reason,
        entry.idempotencyKey,
        entry.actorId ?? null,
      ],
    );
    if (inserted.length === 0) {
      // A concurrent call with the same key committed first: undo our balance change and answer
      // from its row on the next attempt.
      throw new RetryTransaction('idempotency key applied concurrently');
    }
    tx.memberChanged(entry.memberId, version);
    return { transactionId: inserted[0].id, balanceAfter, applied: true };
  }

  private async findByKey(tx: MemberTx, key: string): Promise<LedgerRow | undefined> {
    const rows = await queryRows<LedgerRow>(
      tx.manager,
      `SELECT id, member_id, amount, kind, balance_after
         FROM users.coin_transactions WHERE idempotency_key = $1`,
      [key],
    );
    return rows[0];
  }

  private answerRepeat(previous: LedgerRow, entry: LedgerEntry): LedgerOutcome {
    if (
      previous.member_id !== entry.memberId ||
      previous.amount !== entry.amount ||
      previous.kind !== entry.kind
    ) {
      throw new DomainError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This idempotency key was already used for another coin change',
      );
    }
    return { transactionId: previous.id, balanceAfter: previous.balance_after, applied: false };
  }

  private async explainRefusal(tx: MemberTx, entry: LedgerEntry): Promise<never> {
    const rows = await queryRows<{ up_coins: number; is_active: boolean }>(
      tx.manager,
      `SELECT up_coins, is_active FROM users.members WHERE id = $1`,
      [entry.memberId],
    );
    if (rows.length === 0) throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'Member not found');
    if (entry.requireActiveMember && !rows[0].is_active) {
      throw new DomainError(ErrorCode.MEMBER_INACTIVE, 'This member is deactivated');
    }
    throw new DomainError(ErrorCode.INSUFFICIENT_COINS, 'Not enough UP coins', {
      balance: rows[0].up_coins,
      required: -entry.amount,
    });
  }
}
