import { Module } from '@nestjs/common';
import { CoinsModule } from '../coins/coins.module';
import { MembersStoreModule } from '../members/members-store.module';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [MembersStoreModule, CoinsModule],
  controllers: [AdminController],
  providers: [AdminService],
})
export class AdminModule {}
