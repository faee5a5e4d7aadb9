import { Module } from '@nestjs/common';
import { MembersStoreModule } from '../members/members-store.module';
import { AchievementsController } from './achievements.controller';
import { AchievementsService } from './achievements.service';
import { AchievementsRepository } from './achievements.repository';

@Module({
  imports: [MembersStoreModule],
  controllers: [AchievementsController],
  providers: [AchievementsService, AchievementsRepository],
  exports: [AchievementsService],
})
export class AchievementsModule {}
