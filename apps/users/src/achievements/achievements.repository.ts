import { Injectable } from '@nestjs/common';
import { AchievementCode } from '@up/contracts';
import { queryOne } from '@up/database';
import { MemberTx } from '../members/member-transactions';

/** Members' achievements, `users.achievements`: each code at most once per member. */
@Injectable()
export class AchievementsRepository {
  /** True when this call added the achievement, false when the member already had it. */
  async addOnce(tx: MemberTx, args: { memberId: string; code: AchievementCode }): Promise<boolean> {
    const inserted = await queryOne<{ id: string }>(
      tx.manager,
      `INSERT INTO users.achievements (member_id, code) VALUES ($1, $2)
       ON CONFLICT (member_id, code) DO NOTHING
       RETURNING id`,
      [args.memberId, args.code],
    );
    return inserted !== undefined;
  }
}
