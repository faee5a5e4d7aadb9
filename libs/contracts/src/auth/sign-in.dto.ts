// class-transformer's @Type reads decorator metadata while the class is being defined.
import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import {
  EMAIL_MAX_LENGTH,
  FULL_NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  RegisterMemberDto,
} from '../users';
import { Trim } from '../validation/dto-transforms';
import { IsTelegramId } from '../validation/telegram-id';
import { LOGIN_CODE_MAX_LENGTH, REFRESH_TOKEN_MAX_LENGTH } from './auth.limits';

/**
 * REST bodies of the gateway's sign-in routes (docs/api.md, Sign-in). Field names are the public API's
 * (snake_case), kept exactly.
 */

/**
 * `POST /api/auth/register`: the `users.register` message itself (RegisterMemberDto, whose rules
 * the users service owns), redeclared here only to document the fields in the OpenAPI document.
 */
export class RegisterDto extends RegisterMemberDto {
  @ApiProperty({ example: 'ada@example.org', maxLength: EMAIL_MAX_LENGTH })
  declare email: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    format: 'password',
  })
  declare password: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: FULL_NAME_MAX_LENGTH })
  declare full_name: string;

  @ApiPropertyOptional({ description: "Another member's referral code", example: 'UP-7K2Q9Z' })
  declare referral_code?: string;
}

/**
 * `POST /api/auth/token`: JSON `{email, password}` or an OAuth2 password-grant form, whose
 * `username` is the email. One of `email` / `username` is required.
 */
export class LoginDto {
  @ApiPropertyOptional({ example: 'ada@example.org', description: 'JSON login' })
  // Checked whenever given (the gateway signs in with `email ?? username`), and when neither is.
  @ValidateIf((body: LoginDto) => body.email !== undefined || body.username === undefined)
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(EMAIL_MAX_LENGTH)
  email?: string;

  @ApiPropertyOptional({
    example: 'ada@example.org',
    description: 'OAuth2 password form: the email',
  })
  @ValidateIf((body: LoginDto) => body.username !== undefined || body.email === undefined)
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(EMAIL_MAX_LENGTH)
  username?: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  @ApiPropertyOptional({ enum: ['password'], description: 'OAuth2 form only' })
  @IsOptional()
  @IsIn(['password'])
  grant_type?: string;

  @ApiPropertyOptional({ description: 'OAuth2 form only; ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  scope?: string;
}

/** `POST /api/auth/refresh`. */
export class RefreshDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFRESH_TOKEN_MAX_LENGTH)
  refresh_token!: string;
}

/** `POST /api/auth/logout`. */
export class LogoutDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFRESH_TOKEN_MAX_LENGTH)
  refresh_token!: string;
}

/**
 * `POST /api/auth/callback`, as query parameters or as a JSON body. Both fields are optional here
 * because either source may carry them; the route requires `code` from one of the two.
 */
export class CallbackDto {
  @ApiPropertyOptional({ description: 'The one-time login code' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(LOGIN_CODE_MAX_LENGTH)
  code?: string;

  @ApiPropertyOptional({
    description: 'When given, must be the Telegram id the code was issued for',
    example: 279058397,
  })
  @IsOptional()
  @IsTelegramId({ fromString: true })
  telegram_id?: number;
}

/** `POST /api/auth/telegram`: the Telegram Login Widget's fields, as the widget hands them over. */
export class TelegramLoginDto {
  @ApiProperty({ example: 279058397 })
  @IsTelegramId({ fromString: true })
  id!: number;

  @ApiProperty({ example: 'Ada' })
  @IsString()
  @MaxLength(256)
  first_name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  last_name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  username?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  photo_url?: string;

  @ApiProperty({ description: 'Unix time of the sign-in', example: 1700000000 })
  @Type(() => Number)
  @IsInt()
  @IsPositive()
  auth_date!: number;

  @ApiProperty({ description: 'Hex HMAC-SHA-256 of the data-check-string' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/i, { message: 'hash must be 64 hexadecimal characters' })
  hash!: string;
}
