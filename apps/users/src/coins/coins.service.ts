import { Injectable } from '@nestjs/common';
import {
  CoinChangeDto,
  CoinChangeOutcome,
  CoinChangeResult,
  DebitCoinsManyDto,
  DebitCoinsManyResult,
  DomainError,
  errorPayloadOf,
  CoinsPage,
  CoinTransaction,
  CoinTransactionKind,
  DEFAULT_PAGE_LIMIT,
  GetCoinsDto,
} from '@up/contracts';
import { MemberTransactions } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import { CoinTransactionEntity } from './coin-transaction.entity';
import { CoinLedger, LedgerOutcome } from './coin-ledger';
import { CoinTransactionsRepository } from './coin-transactions.repository';

function toCoinChangeResult(outcome: LedgerOutcome): CoinChangeResult {
  return {
    balance: outcome.balanceAfter,
    transaction_id: outcome.transactionId,
    applied: outcome.applied,
  };
}

function toCoinTransaction(row: CoinTransactionEntity): CoinTransaction {
  return {
    id: row.id,
    amount: row.amount,
    balance_after: row.balanceAfter,
    kind: row.kind,
    reason: row.reason,
    created_at: row.createdAt.toISOString(),
  };
}

/** Balances and the ledger as other services and the member see them. */
@Injectable()
export class CoinsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly ledger: CoinLedger,
    private readonly members: MembersRepository,
    private readonly coinTransactions: CoinTransactionsRepository,
  ) {}

  async debit(dto: CoinChangeDto): Promise<CoinChangeResult> {
    const outcome = await this.transactions.run((tx) =>
      this.ledger.apply(tx, {
        memberId: dto.member_id,
        amount: -dto.amount,
        kind: CoinTransactionKind.DEBIT,
        reason: dto.reason,
        idempotencyKey: dto.idempotency_key,
        requireActiveMember: true,
      }),
    );
    return toCoinChangeResult(outcome);
  }

  /**
   * Several debits in one transaction, each applied (or answered as a repeat) or refused exactly
   * as `debit` would, in member order so that two groups never lock members in opposite orders.
   * A refusal is a read (no statement failed), so the others go on; any other failure rolls the
   * whole group back and fails the call, and a repeat of it applies each key once.
   */
  async debitMany(dto: DebitCoinsManyDto): Promise<DebitCoinsManyResult> {
    const order = dto.debits
      .map((debit, index) => ({ debit, index }))
      .sort((a, b) => a.debit.member_id.localeCompare(b.debit.member_id) || a.index - b.index);
    const outcomes = await this.transactions.run(async (tx) => {
      const answered: CoinChangeOutcome[] = new Array(dto.debits.length);
      for (const { debit, index } of order) {
        try {
          const outcome = await this.ledger.apply(tx, {
            memberId: debit.member_id,
            amount: -debit.amount,
            kind: CoinTransactionKind.DEBIT,
            reason: debit.reason,
            idempotencyKey: debit.idempotency_key,
            requireActiveMember: true,
          });
          answered[index] = { result: toCoinChangeResult(outcome) };
        } catch (error) {
          const refusal = error instanceof DomainError ? errorPayloadOf(error) : undefined;
          if (!refusal) throw error;
          answered[index] = { error: refusal };
        }
      }
      return answered;
    });
    return { outcomes };
  }

  async credit(dto: CoinChangeDto): Promise<CoinChangeResult> {
    const outcome = await this.transactions.run((tx) =>
      this.ledger.apply(tx, {
        memberId: dto.member_id,
        amount: dto.amount,
        kind: CoinTransactionKind.CREDIT,
        reason: dto.reason,
        idempotencyKey: dto.idempotency_key,
      }),
    );
    return toCoinChangeResult(outcome);
  }

  /** The balance and one page of the ledger, newest first, read in one snapshot. */
  async getCoins(dto: GetCoinsDto): Promise<CoinsPage> {
    const limit = dto.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = dto.offset ?? 0;
    return this.transactions.run(
      async (tx) => {
        const member = await this.members.getById(tx.manager, dto.member_id);
        const { rows, total } = await this.coinTransactions.pageForMember(tx.manager, {
          memberId: member.id,
          limit,
          offset,
        });
        return {
          balance: member.upCoins,
          transactions: rows.map(toCoinTransaction),
          total,
          limit,
          offset,
        };
      },
      { isolation: 'REPEATABLE READ' },
    );
  }
}
