import { Module } from '@nestjs/common';
import { AdminBroadcastsController } from './admin-broadcasts.controller';
import { AdminEventsController } from './admin-events.controller';
import { AdminUsersController } from './admin-users.controller';

/** docs/api.md "Administration" (role `admin`); BusClient and the auth guard are global. */
@Module({
  controllers: [AdminUsersController, AdminEventsController, AdminBroadcastsController],
})
export class AdminModule {}
