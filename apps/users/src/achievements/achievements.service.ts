import { Injectable } from '@nestjs/common';
import { AchievementCode, AwardAchievementDto, AwardAchievementResult } from '@up/contracts';
import { MemberTransactions, MemberTx } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import { AchievementsRepository } from './achievements.repository';

@Injectable()
export class AchievementsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly achievements: AchievementsRepository,
  ) {}

  async award(dto: AwardAchievementDto): Promise<AwardAchievementResult> {
    const awarded = await this.transactions.run((tx) =>
      this.awardIn(tx, { memberId: dto.member_id, code: dto.code }),
    );
    return { awarded, code: dto.code };
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
