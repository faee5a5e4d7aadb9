import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CoinTransactionKind } from '@up/contracts';
import { queryOne } from '@up/database';
import { MemberTx } from '../members/member-transactions';
import { CoinTransactionEntity } from './coin-transaction.entity';

/** What a repeated idempotency key is checked against, and answered from. */
export interface RecordedCoinTransaction {
  id: string;
  memberId: string;
  amount: number;
  kind: string;
  reason: string;
  balanceAfter: number;
}

export interface NewCoinTransaction {
  memberId: string;
  amount: number;
  balanceAfter: number;
  kind: CoinTransactionKind;
  reason: string;
  idempotencyKey: string;
  actorId: string | null;
}

/** The coin ledger, `users.coin_transactions`. */
@Injectable()
export class CoinTransactionsRepository {
  async findByIdempotencyKey(
    tx: MemberTx,
    key: string,
  ): Promise<RecordedCoinTransaction | undefined> {
    const row = await queryOne<{
      id: string;
      member_id: string;
      amount: number;
      kind: string;
      reason: string;
      balance_after: number;
    }>(
      tx.manager,
      `SELECT id, member_id, amount, kind, reason, balance_after
         FROM users.coin_transactions WHERE idempotency_key = $1`,
      [key],
    );
    return (
      row && {
        id: row.id,
        memberId: row.member_id,
        amount: row.amount,
        kind: row.kind,
        reason: row.reason,
        balanceAfter: row.balance_after,
      }
    );
  }

  /**
   * Writes the ledger row and answers its id, or undefined when the idempotency key is taken
   * (a concurrent transaction with the same key committed first).
   */
  async record(tx: MemberTx, entry: NewCoinTransaction): Promise<string | undefined> {
    const inserted = await queryOne<{ id: string }>(
      tx.manager,
      `INSERT INTO users.coin_transactions
              (member_id, amount, balance_after, kind, reason, idempotency_key, actor_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [
        entry.memberId,
        entry.amount,
        entry.balanceAfter,
        entry.kind,
        entry.reason,
        entry.idempotencyKey,
        entry.actorId,
      ],
    );
    return inserted?.id;
  }

  /** One page of a member's ledger, newest first, and the number of rows in all. */
  async pageForMember(
    manager: EntityManager,
    args: { memberId: string; limit: number; offset: number },
  ): Promise<{ rows: CoinTransactionEntity[]; total: number }> {
    const [rows, total] = await manager.findAndCount(CoinTransactionEntity, {
      where: { memberId: args.memberId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: args.limit,
      skip: args.offset,
    });
    return { rows, total };
  }
}
