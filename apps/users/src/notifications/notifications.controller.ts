import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
  USERS,
} from '@up/contracts';
import { NotificationsService } from './notifications.service';

@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @MessagePattern(USERS.GET_NOTIFICATION_TARGETS)
  getTargets(@Payload() dto: GetNotificationTargetsDto): Promise<NotificationTargetsResult> {
    return this.notifications.getTargets(dto);
  }

  @MessagePattern(USERS.LIST_ANNOUNCEMENT_TARGETS)
  listAnnouncementTargets(
    @Payload() dto: ListAnnouncementTargetsDto,
  ): Promise<AnnouncementTargetsPage> {
    return this.notifications.listAnnouncementTargets(dto);
  }

  @MessagePattern(USERS.SET_TELEGRAM_REACHABLE)
  setTelegramReachable(
    @Payload() dto: SetTelegramReachableDto,
  ): Promise<SetTelegramReachableResult> {
    return this.notifications.setTelegramReachable(dto);
  }

  @MessagePattern(USERS.GET_NOTIFICATION_SETTINGS)
  getSettings(@Payload() dto: GetNotificationSettingsDto): Promise<NotificationSettings> {
    return this.notifications.getSettings(dto);
  }

  @MessagePattern(USERS.UPDATE_NOTIFICATION_SETTINGS)
  updateSettings(@Payload() dto: UpdateNotificationSettingsDto): Promise<NotificationSettings> {
    return this.notifications.updateSettings(dto);
  }
}
