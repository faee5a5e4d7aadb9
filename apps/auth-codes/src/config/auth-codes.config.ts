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

  /** Live login codes per member; a new one replaces the oldest beyond this. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  AUTH_CODE_MAX_LIVE_PER_MEMBER = 5;

  /** How long a refresh token stays valid. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;
}
