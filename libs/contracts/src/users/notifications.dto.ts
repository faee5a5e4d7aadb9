import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { MemberIdDto } from './members.dto';

/** The languages the bot (and later mails) speak. WIRE VALUES. */
export const NOTIFICATION_LANGUAGES = ['ru', 'en'] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];

/** The most members one `users.get_notification_targets` or one targets page may name. */
export const MAX_NOTIFICATION_TARGETS = 1000;

/** A Telegram user id as a decimal string (bigint in PostgreSQL; up to 52 significant bits). */
export const TELEGRAM_ID_STRING_REGEX = /^[1-9]\d{0,15}$/;

/**
 * Who to tell and how: what the bot needs to send a member a notification. `language` is the
 * member's setting, else derived from their Telegram `language_code` (`en*` → en), else 'ru'.
 * A member without a Telegram chat has `telegram_id: null` (the bot skips them); `reachable` is
 * false once Telegram refused a message to them (403) until they write to the bot again.
 */
export class NotificationTarget {
  member_id!: string;
  telegram_id!: string | null;
  language!: NotificationLanguage;
  announcements!: boolean;
  reminders!: boolean;
  reachable!: boolean;
}

/** `users.get_notification_targets`: unknown ids are simply absent from the answer. */
export class GetNotificationTargetsDto {
  @IsArray()
  @ArrayMaxSize(MAX_NOTIFICATION_TARGETS)
  @IsUUID('all', { each: true })
  member_ids!: string[];
}

export class NotificationTargetsResult {
  targets!: NotificationTarget[];
}

/**
 * `users.list_announcement_targets`: a page of active members with a Telegram chat, announcements
 * on and reachable, by id; pass the answer's `next` as `after` for the next page (null: done).
 */
export class ListAnnouncementTargetsDto {
  @IsOptional()
  @IsUUID()
  after?: string;

  @IsInt()
  @Min(1)
  @Max(MAX_NOTIFICATION_TARGETS)
  limit!: number;
}

export class AnnouncementTargetsPage {
  targets!: NotificationTarget[];
  next!: string | null;
}

/** `users.set_telegram_reachable`: the bot learned whether Telegram delivers to this account. */
export class SetTelegramReachableDto {
  @Matches(TELEGRAM_ID_STRING_REGEX, { message: 'telegram_id must be a Telegram user id' })
  telegram_id!: string;

  @IsBoolean()
  reachable!: boolean;
}

export class SetTelegramReachableResult {
  /** False when no member has this telegram_id or the flag already had that value. */
  changed!: boolean;
}

/** A member's notification settings (bus answer of the get/update settings patterns). */
export class NotificationSettings {
  announcements!: boolean;
  reminders!: boolean;
  language!: NotificationLanguage;
}

export class GetNotificationSettingsDto extends MemberIdDto {}

/** `users.update_notification_settings`: only the fields given change. */
export class UpdateNotificationSettingsDto extends MemberIdDto {
  @IsOptional()
  @IsBoolean()
  announcements?: boolean;

  @IsOptional()
  @IsBoolean()
  reminders?: boolean;

  @IsOptional()
  @IsIn(NOTIFICATION_LANGUAGES)
  language?: NotificationLanguage;
}

/** `GET /api/users/me/notifications` answer and `PATCH` answer. */
@ApiSchema({ name: 'NotificationPreferencesResponse' })
export class NotificationPreferences {
  @ApiProperty({ description: 'Announcements of new events in Telegram' })
  announcements!: boolean;

  @ApiProperty({ description: 'Reminders before the events the member joined' })
  reminders!: boolean;
}

/** `PATCH /api/users/me/notifications` body: only the fields given change. */
@ApiSchema({ name: 'NotificationPreferencesBody' })
export class NotificationPreferencesBodyDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  announcements?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  reminders?: boolean;
}
