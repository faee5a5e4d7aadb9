import { Injectable } from '@nestjs/common';
import { PeriodicSweep } from '@up/health';
import { UsersConfig } from '../config/users.config';
import { MemberTransactions } from '../members/member-transactions';
import { ReferralRewards } from './referral-rewards';
import { ReferralRewardsRepository } from './referral-rewards.repository';

/** Referrers handled per sweep round; the next round takes the rest. */
const REFERRERS_PER_ROUND = 100;

/**
 * Pays referral rewards that waited for a later day (REFERRAL_REWARDS_PER_DAY), every
 * REFERRAL_SWEEP_INTERVAL_MS on every replica (0: never). Safe on several replicas at once: the
 * payment locks the referrer and the rewards it pays.
 */
@Injectable()
export class ReferralRewardsSweep extends PeriodicSweep {
  constructor(
    config: UsersConfig,
    private readonly transactions: MemberTransactions,
    private readonly rewards: ReferralRewards,
    private readonly rows: ReferralRewardsRepository,
  ) {
    super({
      name: 'referral reward sweep',
      intervalMs: config.REFERRAL_SWEEP_INTERVAL_MS,
      stopOn: 'module-destroy',
    });
  }

  protected round(): Promise<number> {
    return this.sweepOnce();
  }

  /** One round: answers how many rewards it paid. */
  async sweepOnce(): Promise<number> {
    const referrerIds = await this.rows.referrersWithPayable(
      this.transactions.manager,
      REFERRERS_PER_ROUND,
    );
    let paid = 0;
    for (const referrerId of referrerIds) {
      paid += await this.transactions.run((tx) => this.rewards.payWithinCap(tx, referrerId));
    }
    if (paid > 0) this.logger.log({ paid }, 'referral rewards paid after waiting');
    return paid;
  }
}
