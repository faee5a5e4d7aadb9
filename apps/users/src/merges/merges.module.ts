import { Module } from '@nestjs/common';
import { CoinsModule } from '../coins/coins.module';
import { MembersStoreModule } from '../members/members-store.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { MemberMerges } from './member-merges';
import { MemberMergesRepository } from './member-merges.repository';
import { MergeSweep } from './merge.sweep';
import { MergesController } from './merges.controller';
import { TelegramLinkService } from './telegram-link.service';

/** One member across Telegram and email: linking Telegram, and merging two members (a saga). */
@Module({
  imports: [MembersStoreModule, CoinsModule, ReferralsModule],
  controllers: [MergesController],
  providers: [MemberMerges, MemberMergesRepository, MergeSweep, TelegramLinkService],
  exports: [MemberMerges],
})
export class MergesModule {}
