import { DynamicModule, Module } from '@nestjs/common';
import { BusModule } from '@up/bus';
import { ConfigModule } from '@up/config';
import { HealthModule } from '@up/health';
import { LoggingModule } from '@up/logging';
import { BotConfig } from './config/bot.config';
import { DeliveryModule } from './delivery/delivery.module';
import { EventsModule } from './events/events.module';
import { LoginModule } from './login/login.module';
import { ProfileCacheModule } from './members/profile-cache.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ProfileModule } from './profile/profile.module';
import { SettingsModule } from './settings/settings.module';
import { StartModule } from './start/start.module';
import { TelegramModule } from './telegram/telegram.module';

/**
 * The Telegram bot: a bus service (`bot`: it answers `bot.*` requests and consumes bus events in its
 * own consumer group) and a Telegram client. Feature modules (the Telegraf conversation, the
 * delivery queue) go in `imports` below; `forRoot` adds the infrastructure around them with the
 * validated configuration.
 */
@Module({
  imports: [
    TelegramModule,
    ProfileCacheModule,
    DeliveryModule,
    StartModule,
    LoginModule,
    ProfileModule,
    EventsModule,
    SettingsModule,
    NotificationsModule,
  ],
})
export class AppModule {
  static forRoot(config: BotConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(BotConfig, config),
        LoggingModule.forRoot('bot'),
        BusModule.forRoot('bot'),
        HealthModule.forService('bot'),
      ],
    };
  }
}
