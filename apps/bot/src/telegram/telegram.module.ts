import { Global, Module } from '@nestjs/common';
import { TelegramBot } from './telegram-bot.service';

/** The Telegram connection every bot feature registers its handlers on. */
@Global()
@Module({
  providers: [TelegramBot],
  exports: [TelegramBot],
})
export class TelegramModule {}
