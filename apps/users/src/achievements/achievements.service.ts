import { Injectable, Logger } from '@nestjs/common';
import type { RedisStreamsContext } from '@up/bus';
import {
  AchievementCode,
  AwardAchievementDto,
  AwardAchievementResult,
  DomainError,
  ErrorCode,
  ParticipantJoinedPayload,
} from '@up/contracts';
import { EventInbox } from '@up/database';
import { MemberTransactions, MemberTx } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import { AchievementsRepository } from './achievements.repository';

/** The inbox name of the `first_event` award on `event.participant_joined`. */
export const FIRST_EVENT_CONSUMER = 'users.first-event';

@Injectable()
export class AchievementsService {
  private readonly logger = new Logger(AchievementsService.name);

  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly achievements: AchievementsRepository,
    private readonly inbox: EventInbox,
  ) {}

  async award(dto: AwardAchievementDto): Promise<AwardAchievementResult> {
    const awarded = await this.transactions.run((tx) =>
      this.awardIn(tx, { memberId: dto.member_id, code: dto.code }),
    );
    return { awarded, code: dto.code };
  }

  /**
   * A member who joined an event has `first_event`, awarded here (the events service does not ask
   * for it on the join path): this event is delivered until handled, so the award happens,
   * shortly after the join's answer. Applied once per event id (the inbox row commits with the
   * award).
   */
  async awardFirstEvent(
    event: ParticipantJoinedPayload,
    context: RedisStreamsContext,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      if (!(await this.inbox.firstDelivery(tx.databaseTx, FIRST_EVENT_CONSUMER, context))) return;
      try {
        await this.awardIn(tx, { memberId: event.member_id, code: AchievementCode.FIRST_EVENT });
      } catch (error) {
        // Redelivering cannot make an unknown member appear: record the event as handled.
        if (!(error instanceof DomainError && error.code === ErrorCode.MEMBER_NOT_FOUND))
          throw error;
        this.logger.warn(
          { memberId: event.member_id, eventId: context.getEventId() },
          'event.participant_joined names no member; first_event not awarded',
        );
      }
    });
  }

  /**
   * Awards `code` once: true when this call awarded it, false when the member already had it.
   * The member's achievements_count moves in the same transaction. MEMBER_NOT_FOUND otherwise.
   */
  async awardIn(tx: MemberTx, args: { memberId: string; code: AchievementCode }): Promise<boolean> {
    // Locks the member first, so concurrent awards of one member queue here, not on the index.
    await this.members.getByIdForUpdate(tx, args.memberId);
    if (!(await this.achievements.addOnce(tx, args))) return false;
    await this.members.applyChanges(tx, args.memberId, {
      achievementsCount: () => 'achievements_count + 1',
    });
    return true;
  }
}
