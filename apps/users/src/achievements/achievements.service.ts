import { Injectable } from '@nestjs/common';
import { AchievementCode, AwardAchievementDto, AwardAchievementResult } from '@up/contracts';
import { MembersRepository } from '../members/members.repository';
import { MemberTransactions, MemberTx } from '../profile-versions/member-transactions';
import { queryRows } from '../shared/query-rows';

@Injectable()
export class AchievementsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
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
    const inserted = await queryRows<{ id: string }>(
      tx.manager,
      `INSERT INTO users.achievements (member_id, code) VALUES ($1, $2)
       ON CONFLICT (member_id, code) DO NOTHING
       RETURNING id`,
      [args.memberId, args.code],
    );
    if (inserted.length === 0) return false;
    await this.members.update(tx, args.memberId, {
      achievementsCount: () => 'achievements_count + 1',
    });
    return true;
  }
}
