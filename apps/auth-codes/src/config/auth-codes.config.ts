import { IsInt, Max, Min } from 'class-validator';
import { DatabaseEnv } from '@up/config';
import { ToInt } from '@up/contracts';

/** The auth-codes service: one-time login codes (Redis) and refresh-token families (PostgreSQL). */
export class AuthCodesConfig extends DatabaseEnv {
  /** How long a one-time login code stays valid. */
  @ToInt()
  @IsInt()
  @Min(10)
  @Max(86400)
  AUTH_CODE_TTL_SECONDS = 600;

  /** How long a refresh token stays valid. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;
}
