import { Global, Module } from '@nestjs/common';
import { TelegramBot } from './telegram-bot.service';
import { TelegramRedis } from './telegram-redis';

/** The Telegram connection every bot feature registers its handlers on. */
@Global()
@Module({
  providers: [TelegramRedis, TelegramBot],
  exports: [TelegramBot],
})
export class TelegramModule {}
