import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { RedisStreamsContext } from '@up/bus';
import {
  AwardAchievementDto,
  AwardAchievementResult,
  EVENT_EVENTS,
  ParticipantJoinedPayload,
  USERS,
} from '@up/contracts';
import { AchievementsService } from './achievements.service';

@Controller()
export class AchievementsController {
  constructor(private readonly achievements: AchievementsService) {}

  @MessagePattern(USERS.AWARD_ACHIEVEMENT)
  award(@Payload() dto: AwardAchievementDto): Promise<AwardAchievementResult> {
    return this.achievements.award(dto);
  }

  @EventPattern(EVENT_EVENTS.PARTICIPANT_JOINED)
  onParticipantJoined(
    @Payload() event: ParticipantJoinedPayload,
    @Ctx() context: RedisStreamsContext,
  ): Promise<void> {
    return this.achievements.awardFirstEvent(event, context);
  }
}
