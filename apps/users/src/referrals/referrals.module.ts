import { Module } from '@nestjs/common';
import { AchievementsModule } from '../achievements/achievements.module';
import { CoinsModule } from '../coins/coins.module';
import { MembersStoreModule } from '../members/members-store.module';
import { ReferralRewards } from './referral-rewards';
import { ReferralRewardsRepository } from './referral-rewards.repository';
import { ReferralRewardsSweep } from './referral-rewards.sweep';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';

@Module({
  imports: [MembersStoreModule, CoinsModule, AchievementsModule],
  controllers: [ReferralsController],
  providers: [ReferralsService, ReferralRewards, ReferralRewardsRepository, ReferralRewardsSweep],
  exports: [ReferralRewards],
})
export class ReferralsModule {}
