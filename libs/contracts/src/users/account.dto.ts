// class-transformer's decorators read decorator metadata while the class is being defined.
import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  MinLength,
} from 'class-validator';
import { TrimLowerCase } from '../validation/dto-transforms';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './credentials.dto';

/**
 * Account mail: email verification, password reset and change, change of email (docs/api.md).
 * The `*BodyDto` classes are the REST bodies; the bus messages add `member_id` where the caller is
 * a signed-in member.
 */

/** Tokens sent by mail are 43 characters (256 random bits, base64url); anything far off is refused. */
export const ACCOUNT_TOKEN_MAX_LENGTH = 128;

/** `POST /api/auth/email/verify` body and `users.verify_email`. */
export class VerifyEmailDto {
  @ApiProperty({ description: 'The token from the verification link' })
  @IsString()
  @Length(1, ACCOUNT_TOKEN_MAX_LENGTH)
  token!: string;
}

/** `users.resend_verification`: the signed-in member's address gets a new link. */
export class ResendVerificationDto {
  @IsUUID()
  member_id!: string;
}

/** `POST /api/auth/password/forgot` body and `users.request_password_reset`. */
export class ForgotPasswordDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: EMAIL_MAX_LENGTH })
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;
}

/** `POST /api/auth/password/reset` body and `users.reset_password`. */
export class ResetPasswordDto {
  @ApiProperty({ description: 'The token from the reset link' })
  @IsString()
  @Length(1, ACCOUNT_TOKEN_MAX_LENGTH)
  token!: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
  })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

/** `POST /api/users/me/password` body. `current_password` may be left out only by a member
 * without a password yet (signed up with Telegram). */
export class ChangePasswordBodyDto {
  @ApiPropertyOptional({ format: 'password', maxLength: PASSWORD_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  current_password?: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
  })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  new_password!: string;
}

/** `users.change_password`. */
export class ChangePasswordDto extends ChangePasswordBodyDto {
  @IsUUID()
  member_id!: string;
}

/** `POST /api/users/me/email` body. */
export class ChangeEmailBodyDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: EMAIL_MAX_LENGTH })
  @TrimLowerCase()
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;
}

/** `users.request_email_change`. */
export class ChangeEmailDto extends ChangeEmailBodyDto {
  @IsUUID()
  member_id!: string;
}

/** The answer of a request whose effect is a mail (or, on purpose, indistinguishably, none). */
export interface MailRequestAccepted {
  accepted: true;
}

/** `users.reset_password` and `users.change_password`: whose sessions the caller should end. */
export interface PasswordChanged {
  member_id: string;
}
