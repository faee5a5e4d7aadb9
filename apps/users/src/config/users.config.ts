import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Min,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { allowsDevelopmentDefaults, DatabaseEnv, EnvList, IsStrongSecret } from '@up/config';
import { ToInt } from '@up/contracts';

const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const SMTP_URL = /^smtps?:\/\/\S+$/;

/** SMTP_URL: an smtp(s):// URL when set; required in production, where mail must really go out. */
function IsSmtpUrl(): PropertyDecorator {
  return ValidateBy({
    name: 'isSmtpUrl',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        if (value === undefined || value === '') {
          return allowsDevelopmentDefaults((args?.object as UsersConfig | undefined)?.NODE_ENV);
        }
        return typeof value === 'string' && SMTP_URL.test(value);
      },
      defaultMessage: (args?: ValidationArguments) =>
        !allowsDevelopmentDefaults((args?.object as UsersConfig | undefined)?.NODE_ENV) &&
        !args?.value
          ? 'SMTP_URL is required when NODE_ENV=production (smtp:// or smtps://, with credentials)'
          : 'SMTP_URL must be an smtp:// or smtps:// URL',
    },
  });
}

/** The users service: members, credentials, referrals, coins, achievements. */
export class UsersConfig extends DatabaseEnv {
  /** Telegram ids (comma-separated) whose members are admins. */
  @EnvList()
  @Matches(/^\d+$/, {
    each: true,
    message: 'ADMIN_TELEGRAM_IDS must be comma-separated Telegram ids',
  })
  ADMIN_TELEGRAM_IDS: string[] = [];

  /** Emails (comma-separated, compared case-insensitively) whose members are admins. */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim().toLowerCase())
          .filter((item) => item.length > 0)
      : value,
  )
  @IsEmail({}, { each: true, message: 'ADMIN_EMAILS must be comma-separated email addresses' })
  ADMIN_EMAILS: string[] = [];

  /** UP coins credited to a member whose referral code brought in a new member. */
  @ToInt()
  @IsInt()
  @Min(0)
  REFERRAL_REWARD_COINS = 50;

  /** At most this many referral rewards per referrer and (UTC) day; the rest wait for a later day. */
  @ToInt()
  @IsInt()
  @Min(1)
  REFERRAL_REWARDS_PER_DAY = 10;

  /** The web frontend: mail links point at `<WEB_APP_URL>/auth/verify` and `/auth/reset`. */
  @Matches(HTTP_URL, { message: 'WEB_APP_URL must be an http(s) URL' })
  WEB_APP_URL = 'http://localhost:5173';

  /** Where mail goes (`smtp://user:pass@host:587`, `smtps://...:465`); unset outside production:
   * each mail is written as an .eml file under MAIL_OUTBOX_DIR instead. */
  @IsSmtpUrl()
  @IsStrongSecret({ in: 'url-password', hint: "e.g. the mail provider's generated password" })
  SMTP_URL?: string;

  /** The From of every mail. */
  @IsString()
  @IsNotEmpty()
  MAIL_FROM = 'UP Club <no-reply@up-club.local>';

  /** Without SMTP_URL (development, tests): the directory the .eml files go to. */
  @IsString()
  @IsNotEmpty()
  MAIL_OUTBOX_DIR = '.mail';

  /** First retry delay of a mail that could not be sent; it doubles per attempt. */
  @ToInt()
  @IsInt()
  @Min(10)
  MAIL_RETRY_MIN_MS = 5_000;

  /** Longest delay between retries of one mail (it is retried until it goes out). */
  @ToInt()
  @IsInt()
  @Min(10)
  MAIL_RETRY_MAX_MS = 10 * 60_000;

  /** How often each replica looks for mail due (a local commit wakes it at once). */
  @ToInt()
  @IsInt()
  @Min(10)
  MAIL_POLL_INTERVAL_MS = 2_000;

  /** How often each replica pays referral rewards that waited for a later day. */
  @ToInt()
  @IsInt()
  @Min(0)
  REFERRAL_SWEEP_INTERVAL_MS = 10 * 60_000;

  /**
   * How often each replica resumes unfinished merges (a step that failed, a replica that died);
   * also the first retry delay of a failed step, doubling up to 60 times this. 0: never.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  MERGE_SWEEP_INTERVAL_MS = 5_000;
}
