import { DynamicModule, Module } from '@nestjs/common';
import { BusModule } from '@up/bus';
import { ConfigModule } from '@up/config';
import { LoggingModule } from '@up/logging';
import { BotConfig } from './config/bot.config';
import { EventsModule } from './events/events.module';
import { LoginModule } from './login/login.module';
import { ProfileModule } from './profile/profile.module';
import { StartModule } from './start/start.module';
import { TelegramModule } from './telegram/telegram.module';

/**
 * The Telegram bot: a bus client, no HTTP server. Feature modules (the Telegraf conversation) go in
 * `imports` below; `forRoot` adds the infrastructure around them with the validated configuration.
 */
@Module({
  imports: [TelegramModule, StartModule, LoginModule, ProfileModule, EventsModule],
})
export class AppModule {
  static forRoot(config: BotConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(BotConfig, config),
        LoggingModule.forRoot('bot'),
        BusModule.forRoot('bot'),
      ],
    };
  }
}
