import { Transform } from 'class-transformer';
import { IsEmail, IsInt, Matches, Min } from 'class-validator';
import { DatabaseEnv, EnvList } from '@up/config';
import { ToInt } from '@up/contracts';

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
}
