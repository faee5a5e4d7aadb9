import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AchievementCode,
  CoinTransactionKind,
  isReferralCode,
  normalizeReferralCode,
} from '@up/contracts';
import { AchievementsService } from '../achievements/achievements.service';
import { CoinLedger } from '../coins/coin-ledger';
import { UsersConfig } from '../config/users.config';
import { MemberEntity } from '../members/member.entity';
import { MembersRepository } from '../members/members.repository';
import { MemberTx } from '../members/member-transactions';
import { ReferralRewardsRepository } from './referral-rewards.repository';

/** Ledger key of a referral reward: one reward per referee, whatever retries happen. */
export function referralRewardKey(refereeId: string): string {
  return `referral:${refereeId}`;
}

/**
 * Referral attribution and the referrer's reward (REFERRAL_REWARD_COINS to the ledger,
 * `first_referral` on their first paid referral). A reward is recorded with the referee's creation
 * and paid once it is payable and the referrer has room under REFERRAL_REWARDS_PER_DAY today:
 * - a Telegram sign-up is payable at once (Telegram accounts are not free to mass-produce);
 * - an email sign-up becomes payable when the email is verified (or Telegram is linked:
 *   `payPending`), so throwaway addresses earn nothing;
 * - over the day's cap it waits, and is paid by the next payment to that referrer on a later day
 *   or by the sweep (ReferralRewardsSweep), oldest first.
 */
@Injectable()
export class ReferralRewards {
  constructor(
    private readonly config: UsersConfig,
    private readonly members: MembersRepository,
    private readonly ledger: CoinLedger,
    private readonly achievements: AchievementsService,
    private readonly rewards: ReferralRewardsRepository,
  ) {}

  /** The active member a referral code names, or null (unknown, malformed or deactivated). */
  async findReferrer(
    manager: EntityManager,
    code: string | undefined,
  ): Promise<MemberEntity | null> {
    const normalized = normalizeReferralCode(code);
    if (!isReferralCode(normalized)) return null;
    const referrer = await this.members.findByReferralCode(manager, normalized);
    return referrer?.isActive ? referrer : null;
  }

  /** Records the referral's reward in the referee's creation transaction, and pays it if it may be. */
  async recordReferral(
    tx: MemberTx,
    args: { referrerId: string; refereeId: string; payableNow: boolean },
  ): Promise<void> {
    await this.rewards.add(tx, {
      refereeId: args.refereeId,
      referrerId: args.referrerId,
      eligibleNow: args.payableNow,
    });
    if (args.payableNow) await this.payWithinCap(tx, args.referrerId);
  }

  /**
   * The referee proved a real identity (verified email, linked Telegram): their referrer's reward
   * becomes payable and is paid now if the day's cap allows (otherwise it waits). Idempotent; does
   * nothing for a member nobody referred.
   */
  async payPending(tx: MemberTx, refereeId: string): Promise<void> {
    const referrerId = await this.rewards.markEligible(tx, refereeId);
    if (referrerId) await this.payWithinCap(tx, referrerId);
  }

  /**
   * Pays the referrer's payable rewards, oldest first, as far as today's cap allows. The referrer's
   * row lock serialises payments to one referrer, so the count it checks cannot go stale.
   */
  async payWithinCap(tx: MemberTx, referrerId: string): Promise<number> {
    await this.members.getByIdForUpdate(tx, referrerId);
    const room =
      this.config.REFERRAL_REWARDS_PER_DAY - (await this.rewards.countPaidToday(tx, referrerId));
    if (room <= 0) return 0;
    const refereeIds = await this.rewards.takePayable(tx, { referrerId, limit: room });
    for (const refereeId of refereeIds) {
      await this.rewards.markPaid(tx, refereeId);
      await this.rewardReferrer(tx, { referrerId, refereeId });
    }
    return refereeIds.length;
  }

  private async rewardReferrer(
    tx: MemberTx,
    args: { referrerId: string; refereeId: string },
  ): Promise<void> {
    if (this.config.REFERRAL_REWARD_COINS > 0) {
      await this.ledger.apply(tx, {
        memberId: args.referrerId,
        amount: this.config.REFERRAL_REWARD_COINS,
        kind: CoinTransactionKind.REFERRAL_REWARD,
        reason: 'Referral reward: a new member joined with your code',
        idempotencyKey: referralRewardKey(args.refereeId),
      });
    }
    await this.achievements.awardIn(tx, {
      memberId: args.referrerId,
      code: AchievementCode.FIRST_REFERRAL,
    });
  }
}
