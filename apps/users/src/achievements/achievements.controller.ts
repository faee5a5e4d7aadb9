import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AwardAchievementDto, AwardAchievementResult, USERS } from '@up/contracts';
import { AchievementsService } from './achievements.service';

@Controller()
export class AchievementsController {
  constructor(private readonly achievements: AchievementsService) {}

  @MessagePattern(USERS.AWARD_ACHIEVEMENT)
  award(@Payload() dto: AwardAchievementDto): Promise<AwardAchievementResult> {
    return this.achievements.award(dto);
  }
}
