import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
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
export class ReferralRewardsSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReferralRewardsSweep.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly config: UsersConfig,
    private readonly transactions: MemberTransactions,
    private readonly rewards: ReferralRewards,
    private readonly rows: ReferralRewardsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.REFERRAL_SWEEP_INTERVAL_MS === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweepOnce()
        .catch((error: unknown) => {
          this.logger.warn({ err: error }, 'referral reward sweep failed; next round retries');
          return 0;
        })
        .finally(() => (this.running = undefined));
    }, this.config.REFERRAL_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
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
