import { Injectable } from '@nestjs/common';
import { CoinTransactionKind, MEMBER_EVENTS } from '@up/contracts';
import { RetryTransaction } from '@up/database';
import { MemberTx } from '../members/member-transactions';
import { memberInactive, memberNotFound } from '../members/members.errors';
import { MembersRepository } from '../members/members.repository';
import {
  CoinTransactionsRepository,
  RecordedCoinTransaction,
} from './coin-transactions.repository';
import { idempotencyKeyReused, insufficientCoins, invalidCoinAmount } from './coins.errors';

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
  /**
   * A repeat must carry the same reason too (else IDEMPOTENCY_KEY_REUSED): for keys a client
   * chose, where the reason is part of the request being repeated. Services' own keys leave it
   * out, since their reasons may be worded anew on a retry.
   */
  repeatNeedsSameReason?: boolean;
}

export interface LedgerOutcome {
  transactionId: string;
  /** The balance right after this transaction (also when answering a repeat). */
  balanceAfter: number;
  /** False when the idempotency key had been applied before and nothing changed now. */
  applied: boolean;
}

/**
 * Every change of a member's balance: the balance and its ledger row move together in the
 * caller's transaction, and the ledger's unique idempotency key turns a repeat into a no-op that
 * answers like the first call. An applied entry publishes `member.coins_changed` with the
 * transaction; a repeat publishes nothing.
 *
 * Concurrency: the conditional UPDATE takes the member's row lock and re-checks the balance on the
 * latest committed value (READ COMMITTED), so concurrent debits serialise per member and none
 * takes the balance below zero. Two calls with the same key that both passed the first lookup
 * meet at the ledger's unique index: the second INSERT waits for the first transaction, finds the
 * key taken, and its transaction runs again from the start, where the lookup now answers.
 */
@Injectable()
export class CoinLedger {
  constructor(
    private readonly members: MembersRepository,
    private readonly ledger: CoinTransactionsRepository,
  ) {}

  async apply(tx: MemberTx, entry: LedgerEntry): Promise<LedgerOutcome> {
    if (!Number.isSafeInteger(entry.amount) || entry.amount === 0) throw invalidCoinAmount();
    const previous = await this.ledger.findByIdempotencyKey(tx, entry.idempotencyKey);
    if (previous) return this.answerRepeat(previous, entry);

    const updated = await this.members.addCoins(tx, {
      memberId: entry.memberId,
      amount: entry.amount,
      requireActive: entry.requireActiveMember ?? false,
    });
    if (!updated) return this.explainRefusal(tx, entry);
    const { balanceAfter } = updated;

    const transactionId = await this.ledger.record(tx, {
      memberId: entry.memberId,
      amount: entry.amount,
      balanceAfter,
      kind: entry.kind,
      reason: entry.reason,
      idempotencyKey: entry.idempotencyKey,
      actorId: entry.actorId ?? null,
    });
    if (transactionId === undefined) {
      // A concurrent call with the same key committed first: undo our balance change and answer
      // from its row on the next attempt.
      throw new RetryTransaction('idempotency key applied concurrently');
    }
    tx.publish(MEMBER_EVENTS.COINS_CHANGED, {
      member_id: entry.memberId,
      delta: entry.amount,
      balance: balanceAfter,
      reason: entry.reason,
      kind: entry.kind,
      ledger_key: entry.idempotencyKey,
      transaction_id: transactionId,
    });
    return { transactionId, balanceAfter, applied: true };
  }

  private answerRepeat(previous: RecordedCoinTransaction, entry: LedgerEntry): LedgerOutcome {
    if (
      previous.memberId !== entry.memberId ||
      previous.amount !== entry.amount ||
      previous.kind !== entry.kind ||
      (entry.repeatNeedsSameReason === true && previous.reason !== entry.reason)
    ) {
      throw idempotencyKeyReused();
    }
    return { transactionId: previous.id, balanceAfter: previous.balanceAfter, applied: false };
  }

  private async explainRefusal(tx: MemberTx, entry: LedgerEntry): Promise<never> {
    const member = await this.members.findById(tx.manager, entry.memberId);
    if (!member) throw memberNotFound();
    if (entry.requireActiveMember && !member.isActive) throw memberInactive();
    throw insufficientCoins({ balance: member.upCoins, required: -entry.amount });
  }
}
