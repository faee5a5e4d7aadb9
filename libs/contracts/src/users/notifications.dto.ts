import { IsBoolean, Matches } from 'class-validator';

/**
 * `users.set_telegram_reachable`: the bot learnt that a Telegram chat can (a member wrote to the
 * bot) or cannot (Telegram answered 403: bot blocked, user deactivated) receive its messages.
 * `telegram_id` is a numeric string, as in NotificationTarget.
 */
export class SetTelegramReachableDto {
  @Matches(/^[1-9]\d{0,19}$/, { message: 'telegram_id must be a numeric string' })
  telegram_id!: string;

  @IsBoolean()
  reachable!: boolean;
}

export interface SetTelegramReachableResult {
  /** False when the member already had that flag, or no member has that telegram_id. */
  changed: boolean;
}
