import { Module } from '@nestjs/common';
import { MembersStoreModule } from '../members/members-store.module';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** Members' notification settings, notification targets and the Telegram reachable flag. */
@Module({
  imports: [MembersStoreModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsRepository],
})
export class NotificationsModule {}
