import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AnnouncementTargetsPage,
  GetNotificationSettingsDto,
  GetNotificationTargetsDto,
  ListAnnouncementTargetsDto,
  NotificationSettings,
  NotificationTargetsResult,
  SetTelegramReachableDto,
  SetTelegramReachableResult,
  UpdateNotificationSettingsDto,
} from '@up/contracts';
import { MemberEntity } from '../members/member.entity';
import { MemberTransactions } from '../members/member-transactions';
import { toNotificationSettings, toNotificationTarget } from '../members/member-views';
import { MembersRepository } from '../members/members.repository';
import { NotificationsRepository } from './notifications.repository';

/** What the bot (and the web) need to notify members: who, in which language, what they want. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  /**
   * The targets of the given members, in the order asked; unknown ids are left out. Deactivated
   * members are included: they still hear about what happens to their seats and refunds.
   */
  async getTargets({ member_ids }: GetNotificationTargetsDto): Promise<NotificationTargetsResult> {
    const found = await this.members.findByIds(this.transactions.manager, [...new Set(member_ids)]);
    const byId = new Map(found.map((member) => [member.id, member]));
    const targets = [...new Set(member_ids)].flatMap((id) => {
      const member = byId.get(id);
      return member ? [toNotificationTarget(member)] : [];
    });
    return { targets };
  }

  async listAnnouncementTargets({
    after,
    limit,
  }: ListAnnouncementTargetsDto): Promise<AnnouncementTargetsPage> {
    const page = await this.notifications.listAnnouncementTargets(this.transactions.manager, {
      after: after ?? null,
      limit,
    });
    return {
      targets: page.map(toNotificationTarget),
      next: page.length === limit ? page[page.length - 1].id : null,
    };
  }

  async setTelegramReachable(dto: SetTelegramReachableDto): Promise<SetTelegramReachableResult> {
    const changed = await this.notifications.setTelegramReachable(this.transactions.manager, {
      telegramId: dto.telegram_id,
      reachable: dto.reachable,
    });
    return { changed };
  }

  async getSettings({ member_id }: GetNotificationSettingsDto): Promise<NotificationSettings> {
    const member = await this.members.getById(this.transactions.manager, member_id);
    return toNotificationSettings(member);
  }

  /**
   * Changes the given settings. Like any profile change it bumps the member's version and
   * publishes `member.updated`, so the bot's copy of the member (language) follows at once.
   * Setting the language the member already gets from language_code still stores it: the choice
   * then no longer follows their Telegram client.
   */
  updateSettings(dto: UpdateNotificationSettingsDto): Promise<NotificationSettings> {
    return this.transactions.run(async (tx) => {
      const member = await this.members.getByIdForUpdate(tx, dto.member_id);
      const changes: QueryDeepPartialEntity<MemberEntity> = {};
      if (dto.announcements !== undefined && dto.announcements !== member.notifyAnnouncements) {
        changes.notifyAnnouncements = dto.announcements;
      }
      if (dto.reminders !== undefined && dto.reminders !== member.notifyReminders) {
        changes.notifyReminders = dto.reminders;
      }
      if (dto.language !== undefined && dto.language !== member.language) {
        changes.language = dto.language;
      }
      if (Object.keys(changes).length === 0) return toNotificationSettings(member);
      const updated = await this.members.applyChanges(tx, member.id, changes);
      return toNotificationSettings(updated);
    });
  }
}
