import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MEMBER_EVENTS, MemberCoinsChangedPayload, MemberUpdatedPayload } from '@up/contracts';
import { ProfileInvalidation } from './profile-invalidation';

/**
 * A member changed (profile, language, settings, balance): every bot replica forgets its copy.
 * Idempotent by nature (forgetting twice is forgetting once); a failed publish is retried by the bus.
 */
@Controller()
export class MembersController {
  constructor(private readonly invalidation: ProfileInvalidation) {}

  @EventPattern(MEMBER_EVENTS.UPDATED)
  onUpdated(@Payload() event: MemberUpdatedPayload): Promise<void> {
    return this.invalidation.publish({ memberId: event.member_id, telegramId: event.telegram_id });
  }

  @EventPattern(MEMBER_EVENTS.COINS_CHANGED)
  onCoinsChanged(@Payload() event: MemberCoinsChangedPayload): Promise<void> {
    return this.invalidation.publish({ memberId: event.member_id });
  }
}
