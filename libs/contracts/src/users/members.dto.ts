import {
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { NormalizeReferralCode, Trim } from '../validation/dto-transforms';
import { IsTelegramId } from '../validation/telegram-id';

export const FULL_NAME_MAX_LENGTH = 100;
/** Usernames as Telegram allows them (letters, digits, underscore), 3..32 characters. */
export const USERNAME_REGEX = /^[A-Za-z0-9_]{3,32}$/;
export const PHOTO_URL_MAX_LENGTH = 2048;

/** `{member_id}`: the request of `users.get_profile`, `users.record_login`, `users.list_referrals`. */
export class MemberIdDto {
  @IsUUID()
  member_id!: string;
}

export class GetProfileDto extends MemberIdDto {}

export class RecordLoginDto extends MemberIdDto {}

export class GetStandingDto extends MemberIdDto {}

export class GetByTelegramIdDto {
  @IsTelegramId()
  telegram_id!: number;
}

/**
 * `users.upsert_telegram`: creates the member on first contact, otherwise refreshes the Telegram
 * fields (username, names, photo, language). Limits follow Telegram's own.
 */
export class UpsertTelegramMemberDto {
  @IsTelegramId()
  telegram_id!: number;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  username?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  first_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  last_name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(PHOTO_URL_MAX_LENGTH)
  photo_url?: string;

  @IsOptional()
  @IsString()
  @MaxLength(35)
  language_code?: string;

  /**
   * Deliberately lenient (any short string, e.g. a raw `/start` payload): it is applied only when
   * the member is created and it names another member; otherwise it is ignored and the answer's
   * `referral_applied` is false. The member is created either way.
   */
  @IsOptional()
  @NormalizeReferralCode()
  @IsString()
  @MaxLength(64)
  referral_code?: string;
}

/**
 * `PATCH /api/users/me` body. `username` and `photo_url` may be null to clear them. Usable as the
 * REST body; the bus message adds `member_id` (UpdateProfileDto).
 */
export class UpdateProfileBodyDto {
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, FULL_NAME_MAX_LENGTH)
  full_name?: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Trim()
  @IsString()
  @Matches(USERNAME_REGEX, { message: 'username must be 3 to 32 letters, digits or underscores' })
  username?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(PHOTO_URL_MAX_LENGTH)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true })
  photo_url?: string | null;
}

export class UpdateProfileDto extends UpdateProfileBodyDto {
  @IsUUID()
  member_id!: string;
}
