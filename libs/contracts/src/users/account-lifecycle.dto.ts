// class-transformer's decorators read decorator metadata while the class is being defined.
import 'reflect-metadata';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { IsTelegramId } from '../validation/telegram-id';
import { PASSWORD_MAX_LENGTH } from './credentials.dto';
import { UpsertTelegramMemberDto } from './members.dto';
import type { MemberProfileResult } from './profiles';

/**
 * One member across Telegram and email (linking, merging) and deleting an account
 * (docs/api.md, Account). `*BodyDto` classes are REST bodies; the bus messages carry `member_id`.
 */

/** Mini App init data is a query string of a few hundred bytes; anything far larger is refused. */
export const INIT_DATA_MAX_LENGTH = 8192;

/**
 * `POST /api/users/me/link/telegram` body: either the Login Widget's fields (as for
 * `POST /api/auth/telegram`) or `{init_data}` from a Mini App. The widget's required fields are
 * required only when `init_data` is absent; the signature is checked by the gateway.
 */
export class LinkTelegramBodyDto {
  @ApiPropertyOptional({ description: 'Telegram Mini App init data (`Telegram.WebApp.initData`)' })
  @IsOptional()
  @IsString()
  @Length(1, INIT_DATA_MAX_LENGTH)
  init_data?: string;

  @ApiPropertyOptional({ description: 'Login Widget: the Telegram user id', example: 279058397 })
  @ValidateIf((o: LinkTelegramBodyDto) => o.init_data === undefined)
  @IsTelegramId({ fromString: true })
  id?: number;

  @ApiPropertyOptional({ description: 'Login Widget' })
  @ValidateIf((o: LinkTelegramBodyDto) => o.init_data === undefined)
  @IsString()
  @MaxLength(256)
  first_name?: string;

  @ApiPropertyOptional({ description: 'Login Widget' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  last_name?: string;

  @ApiPropertyOptional({ description: 'Login Widget' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  username?: string;

  @ApiPropertyOptional({ description: 'Login Widget' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  photo_url?: string;

  @ApiPropertyOptional({ description: 'Login Widget: Unix time of the sign-in' })
  @ValidateIf((o: LinkTelegramBodyDto) => o.init_data === undefined)
  @Type(() => Number)
  @IsInt()
  @IsPositive()
  auth_date?: number;

  @ApiPropertyOptional({ description: 'Login Widget: hex HMAC-SHA-256 of the data-check-string' })
  @ValidateIf((o: LinkTelegramBodyDto) => o.init_data === undefined)
  @IsString()
  @Matches(/^[0-9a-f]{64}$/i, { message: 'hash must be 64 hexadecimal characters' })
  hash?: string;
}

/**
 * `users.link_telegram`: the signed-in member (`member_id`) proved a Telegram account (its fields,
 * as for `users.upsert_telegram`, referral code ignored).
 */
export class LinkTelegramDto extends UpsertTelegramMemberDto {
  @IsUUID()
  member_id!: string;
}

/** What linking did: `merge_id` when the Telegram account had a member of its own, now merging. */
export interface LinkTelegramResult extends MemberProfileResult {
  merge_id: string | null;
  /** True once every step of the merge is done (false while the sweep still has work). */
  merge_completed: boolean;
}

/** `DELETE /api/users/me` body: the password, for a member who has one. */
export class DeleteAccountBodyDto {
  @ApiPropertyOptional({
    format: 'password',
    maxLength: PASSWORD_MAX_LENGTH,
    description:
      'Required when the member has a password; without one, a sign-in within the last 5 minutes',
  })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;
}

/** `users.delete_member`. */
export class DeleteMemberDto extends DeleteAccountBodyDto {
  @IsUUID()
  member_id!: string;
}

export interface MemberDeletedResult {
  member_id: string;
}

/** `events.transfer_member`: a merge moves the absorbed member's seats and waitlist places. */
export class TransferMemberDto {
  @IsUUID()
  from!: string;

  @IsUUID()
  to!: string;

  @IsUUID()
  merge_id!: string;
}

export interface TransferMemberResult {
  /** Seats that changed hands. */
  moved_seats: number;
  /** Seats given up (the survivor held one in the same event) and refunded to `from`. */
  refunded_seats: number;
  /** Waitlist places moved (a place is released when `to` already waits or has a seat). */
  moved_waitlist: number;
}
