import { IsInt, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { CommonEnv, IsStrongSecret, IsTelegramBotToken } from '@up/config';
import { ToInt } from '@up/contracts';

const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** The Telegram bot: a bus service (`bot`) with a Telegram connection and the delivery queue. */
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

  /**
   * Public URL Telegram posts updates to. Set: webhook mode (any number of replicas, each serving
   * the URL's path on BOT_HTTP_PORT). Unset: polling mode (one replica at a time polls).
   */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'TELEGRAM_WEBHOOK_URL must be an http(s) URL' })
  TELEGRAM_WEBHOOK_URL?: string;

  /** Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; the charset is Telegram's. */
  @ValidateIf((config: BotConfig) => config.TELEGRAM_WEBHOOK_URL !== undefined)
  @Matches(/^[A-Za-z0-9_-]{16,256}$/, {
    message:
      'TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set: 16 to 256 characters of A-Z, a-z, 0-9, _ and -',
  })
  @IsStrongSecret({ hint: 'openssl rand -hex 32' })
  TELEGRAM_WEBHOOK_SECRET?: string;

  /** The port the webhook is served on (webhook mode only; 0 picks a free one). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  BOT_HTTP_PORT = 3001;

  /**
   * Polling mode: the poller's lease in Redis. A replica that dies (SIGKILL included) is replaced
   * by a standby within this time; the holder renews it every third of it.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(300)
  BOT_POLL_LEASE_SECONDS = 15;

  /**
   * Messages per second the delivery queue sends in all, across every bot replica. Telegram allows
   * about 30; the default leaves room for the answers to members' commands, which go out directly.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10000)
  TELEGRAM_SEND_RATE = 25;

  /** Attempts of one message on 5xx / network errors before it is dead-lettered. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(50)
  TELEGRAM_SEND_MAX_ATTEMPTS = 5;

  /** First retry delay after a 5xx / network error; doubles per attempt, with jitter. */
  @ToInt()
  @IsInt()
  @Min(1)
  TELEGRAM_RETRY_BASE_MS = 1000;

  /** Longest retry delay after a 5xx / network error. */
  @ToInt()
  @IsInt()
  @Min(1)
  TELEGRAM_RETRY_MAX_MS = 60000;

  /**
   * Sign-in links (`/login` and `/qr` together) per Telegram user and minute, counted in Redis
   * across every bot replica; over it the bot says when to try again.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_BOT_LOGIN_PER_MINUTE = 5;

  /** A send that takes longer is abandoned as a network error (and retried). */
  @ToInt()
  @IsInt()
  @Min(100)
  TELEGRAM_SEND_TIMEOUT_MS = 10000;
}
