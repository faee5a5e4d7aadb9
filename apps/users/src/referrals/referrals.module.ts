import { Module } from '@nestjs/common';
import { AchievementsModule } from '../achievements/achievements.module';
import { CoinsModule } from '../coins/coins.module';
import { MembersStoreModule } from '../members/members-store.module';
import { ReferralRewards } from './referral-rewards';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';

@Module({
  imports: [MembersStoreModule, CoinsModule, AchievementsModule],
  controllers: [ReferralsController],
  providers: [ReferralsService, ReferralRewards],
  exports: [ReferralRewards],
})
export class ReferralsModule {}
