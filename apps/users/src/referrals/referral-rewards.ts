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

/** Ledger key of a referral reward: one reward per referee, whatever retries happen. */
export function referralRewardKey(refereeId: string): string {
  return `referral:${refereeId}`;
}

/**
 * Referral attribution at a member's creation: who referred them, and the referrer's reward
 * (REFERRAL_REWARD_COINS to the ledger, `first_referral` on their first referral), written in
 * the transaction that creates the referee.
 */
@Injectable()
export class ReferralRewards {
  constructor(
    private readonly config: UsersConfig,
    private readonly members: MembersRepository,
    private readonly ledger: CoinLedger,
    private readonly achievements: AchievementsService,
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

  async rewardReferrer(
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
