import { Module } from '@nestjs/common';
import { AdminEventsController } from './admin-events.controller';
import { AdminUsersController } from './admin-users.controller';

/** docs/api.md "Administration" (role `admin`); BusClient and the auth guard are global. */
@Module({
  controllers: [AdminUsersController, AdminEventsController],
})
export class AdminModule {}
