import { Module } from '@nestjs/common';
import { RateLimitModule } from '../auth/rate-limit';
import { AdminBroadcastsController } from './admin-broadcasts.controller';
import { AdminEventsController } from './admin-events.controller';
import { AdminUsersController } from './admin-users.controller';

/** docs/api.md "Administration" (role `admin`); BusClient and the auth guard are global. */
@Module({
  imports: [RateLimitModule],
  controllers: [AdminUsersController, AdminEventsController, AdminBroadcastsController],
})
export class AdminModule {}
