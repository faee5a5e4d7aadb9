import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsTelegramId } from '../validation/telegram-id';
import { markSecretFields, Secret } from '../bus/secret';
import { LOGIN_CODE_MAX_LENGTH } from './auth.limits';

/** `auth-codes.issue_login_code`. */
export class IssueLoginCodeDto {
  @IsUUID()
  member_id!: string;

  /**
   * The member's Telegram id, when they have one: a redemption that names another telegram_id is
   * refused.
   */
  @IsOptional()
  @IsTelegramId({ fromString: true })
  telegram_id?: number;
}

// The answer of issue_login_code carries the code itself.
markSecretFields('code');

export interface IssuedLoginCode {
  /** The code itself; only its SHA-256 is stored. */
  code: string;
  /** Seconds it stays valid. */
  expires_in: number;
}

/** `auth-codes.redeem_login_code`. */
export class RedeemLoginCodeDto {
  @Secret()
  @IsString()
  @IsNotEmpty()
  @MaxLength(LOGIN_CODE_MAX_LENGTH)
  code!: string;

  /**
   * When given, must equal the telegram_id the code was issued for (a code issued without one
   * matches none). A mismatch is refused with INVALID_AUTH_CODE and leaves the code usable.
   */
  @IsOptional()
  @IsTelegramId({ fromString: true })
  telegram_id?: number;
}

export interface RedeemedLoginCode {
  member_id: string;
}
