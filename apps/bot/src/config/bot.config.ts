import { IsOptional, Matches } from 'class-validator';
import { CommonEnv, IsTelegramBotToken } from '@up/config';

const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** The Telegram bot: a bus client with a Telegram connection. */
export class BotConfig extends CommonEnv {
  /** Token from @BotFather; without it the bot stays up but idle. */
  @IsOptional()
  @IsTelegramBotToken()
  TELEGRAM_BOT_TOKEN?: string;

  /** Bot API base URL (tests point it at a fake Bot API server). */
  @Matches(HTTP_URL, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT = 'https://api.telegram.org';

  /** The web frontend the bot links to (login links, event pages). */
  @Matches(HTTP_URL, { message: 'WEB_APP_URL must be an http(s) URL' })
  WEB_APP_URL = 'http://localhost:5173';
}
