import { Module } from '@nestjs/common';
import { AnnouncementsService } from './announcements.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

/** Members told of what happens to their seats and events, through the delivery queue. */
@Module({
  controllers: [NotificationsController],
  providers: [NotificationsService, AnnouncementsService],
})
export class NotificationsModule {}
