import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '@up/database';
import { MemberEntity } from '../members/member.entity';

/**
 * The notification-side reads and writes of `users.members`: announcement recipients and the
 * Telegram reachable flag. (Settings changes go through MembersRepository.applyChanges, which
 * bumps the version and reports the change in `member.updated`.)
 */
@Injectable()
export class NotificationsRepository {
  /**
   * Active members with a Telegram chat, announcements on and reachable, by id after `after`:
   * a walk of the partial index `members_announcement_targets_idx`, whatever the table's size.
   */
  listAnnouncementTargets(
    manager: EntityManager,
    args: { after: string | null; limit: number },
  ): Promise<MemberEntity[]> {
    const query = manager
      .createQueryBuilder(MemberEntity, 'm')
      .where(
        'm.is_active AND m.telegram_id IS NOT NULL AND m.notify_announcements AND m.telegram_reachable',
      );
    if (args.after !== null) query.andWhere('m.id > :after', { after: args.after });
    return query.orderBy('m.id', 'ASC').take(args.limit).getMany();
  }

  /**
   * Sets the member's reachable flag; true when it changed (false for an unknown telegram id or
   * the same value). Not a profile change: no version bump, no `member.updated`.
   */
  async setTelegramReachable(
    manager: EntityManager,
    args: { telegramId: string; reachable: boolean },
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE users.members SET telegram_reachable = $2, updated_at = now()
        WHERE telegram_id = $1 AND telegram_reachable <> $2
        RETURNING id`,
      [args.telegramId, args.reachable],
    );
    return rows.length > 0;
  }
}
