import {
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Secret } from '../bus/secret';
import { NormalizeReferralCode, Trim, TrimLowerCase } from '../validation/dto-transforms';
import { FULL_NAME_MAX_LENGTH } from './members.dto';
import { REFERRAL_CODE_REGEX } from './referral-code';

export const PASSWORD_MIN_LENGTH = 8;
/** Bounds the hashing work one request can ask for. */
export const PASSWORD_MAX_LENGTH = 256;
export const EMAIL_MAX_LENGTH = 254;

/**
 * `POST /api/auth/register` body and the `users.register` message. An unknown (well-formed)
 * `referral_code` is refused with REFERRAL_CODE_NOT_FOUND (404) rather than silently dropped: the
 * person asked to be attributed, so they learn the code is wrong and can retry without it.
 */
export class RegisterMemberDto {
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Secret()
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @Trim()
  @IsString()
  @Length(1, FULL_NAME_MAX_LENGTH)
  full_name!: string;

  @IsOptional()
  @NormalizeReferralCode()
  @IsString()
  @Matches(REFERRAL_CODE_REGEX, { message: 'referral_code must look like UP-XXXXXX (A-Z, 0-9)' })
  referral_code?: string;
}

/**
 * `users.verify_credentials` (login). No format rules beyond length: a malformed email or a short
 * password is simply wrong credentials (INVALID_CREDENTIALS), never a hint that the account exists.
 */
export class VerifyCredentialsDto {
  @TrimLowerCase()
  @IsString()
  @IsNotEmpty()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Secret()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}
