import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module';
import { SettingsHandler } from './settings.handler';

@Module({
  imports: [MembersModule],
  providers: [SettingsHandler],
})
export class SettingsModule {}
