import { Injectable } from '@nestjs/common';
import { BusClient } from '@up/bus';
import { CoinChangeOutcome, CoinChangeResult, PublicProfile, USERS } from '@up/contracts';

export interface CoinChange {
  memberId: string;
  amount: number;
  idempotencyKey: string;
  reason: string;
}

/**
 * What the events service asks of the users service (which owns balances, the coin ledger,
 * achievements and profiles). Every coin change carries an idempotency key, so any call here may
 * be repeated safely after a timeout or a crash.
 */
@Injectable()
export class MembersClient {
  constructor(private readonly bus: BusClient) {}

  debit(change: CoinChange): Promise<CoinChangeResult> {
    return this.bus.send(USERS.DEBIT_COINS, {
      member_id: change.memberId,
      amount: change.amount,
      idempotency_key: change.idempotencyKey,
      reason: change.reason,
    });
  }

  /** Several debits in one call and one transaction of users; one outcome per debit, in order. */
  async debitMany(changes: readonly CoinChange[]): Promise<CoinChangeOutcome[]> {
    const { outcomes } = await this.bus.send(USERS.DEBIT_COINS_MANY, {
      debits: changes.map((change) => ({
        member_id: change.memberId,
        amount: change.amount,
        idempotency_key: change.idempotencyKey,
        reason: change.reason,
      })),
    });
    return outcomes;
  }

  credit(change: CoinChange): Promise<CoinChangeResult> {
    return this.bus.send(USERS.CREDIT_COINS, {
      member_id: change.memberId,
      amount: change.amount,
      idempotency_key: change.idempotencyKey,
      reason: change.reason,
    });
  }

  async balance(memberId: string): Promise<number> {
    const { profile } = await this.bus.send(USERS.GET_PROFILE, { member_id: memberId });
    return profile.up_coins;
  }

  /** One batched call, answered in the order asked; unknown members are left out. */
  async publicProfiles(memberIds: string[]): Promise<PublicProfile[]> {
    if (memberIds.length === 0) return [];
    return this.bus.send(USERS.GET_PUBLIC_PROFILES, { member_ids: memberIds });
  }
}
