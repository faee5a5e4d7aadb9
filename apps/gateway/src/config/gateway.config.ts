import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { CommonEnv, EnvBool, EnvList, IsStrongSecret, IsTelegramBotToken } from '@up/config';
import { ToInt } from '@up/contracts';

/**
 * Used only when NODE_ENV is `development` or `test`, so a developer machine starts without
 * secrets (boot logs a warning); anywhere else it is refused like any published value.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';

/**
 * `false`, `true`, or a list of proxy addresses/CIDRs (Fastify's `trustProxy`). A number of hops is
 * refused: since fastify 5.12.2 a hop count trusts no proxy at all (it cannot check the immediate
 * peer), so accepting one would silently ignore X-Forwarded-For.
 */
export type TrustProxy = boolean | string[];

function parseTrustProxy(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  if (['true', 'yes', 'on'].includes(normalized)) return true;
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  // An address has dots (IPv4) or colons (IPv6); a bare number is a hop count, which is refused.
  return list.every((item) => /^[0-9a-fA-F]*[.:][0-9a-fA-F.:]*(\/\d{1,3})?$/.test(item)) &&
    list.length > 0
    ? list
    : value;
}

function IsTrustProxy(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustProxy',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'boolean' ||
          (Array.isArray(value) && value.every((item) => typeof item === 'string')),
        defaultMessage: () =>
          'TRUST_PROXY must be true, false or a comma-separated list of proxy addresses/CIDRs (a number of hops is not supported)',
      },
    },
    options,
  );
}

const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

/** The gateway: the platform's only public HTTP surface. */
export class GatewayConfig extends CommonEnv {
  /** HTTP port (0 picks a free one, used by tests). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Address the HTTP server binds to. */
  @IsString()
  @IsNotEmpty()
  HOST = '0.0.0.0';

  /**
   * HMAC key of the access tokens (HS256). Whoever knows it can sign an admin's token, and one
   * captured token is enough to guess it offline: in production at least 32 characters and 128 bits.
   */
  @IsString()
  @IsNotEmpty()
  @IsStrongSecret({
    minLength: 32,
    knownPublic: [DEVELOPMENT_JWT_SECRET],
    hint: 'generate one with `openssl rand -hex 32`',
  })
  JWT_SECRET = DEVELOPMENT_JWT_SECRET;

  /** Lifetime of an access token, in seconds (`expires_in`). */
  @ToInt()
  @IsInt()
  @Min(60)
  JWT_ACCESS_TTL = 900;

  /** Whether X-Forwarded-For is trusted for the client IP (rate limits): see TrustProxy. */
  @Transform(({ value }) => parseTrustProxy(value))
  @IsTrustProxy()
  TRUST_PROXY: TrustProxy = false;

  /** The web frontend: login links point at `<WEB_APP_URL>/auth/callback`, and it is allowed by CORS. */
  @Matches(HTTP_URL, { message: 'WEB_APP_URL must be an http(s) URL' })
  WEB_APP_URL = 'http://localhost:5173';

  /** Checks Telegram Login Widget and Mini App sign-ins; without it those sign-ins are refused. */
  @IsOptional()
  @IsTelegramBotToken()
  TELEGRAM_BOT_TOKEN?: string;

  @Matches(HTTP_URL, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT = 'https://api.telegram.org';

  /** Origins allowed by CORS (comma-separated); empty means WEB_APP_URL's origin only. */
  @EnvList()
  @Matches(/^(\*|https?:\/\/[^\s/]+)$/, {
    each: true,
    message: 'CORS_ORIGINS must be a comma-separated list of origins (https://host[:port]) or *',
  })
  CORS_ORIGINS: string[] = [];

  /** How long GET /ready waits for Redis and each service's health answer. */
  @ToInt()
  @IsInt()
  @Min(100)
  READY_TIMEOUT_MS = 1000;

  /** Serve the OpenAPI document (/docs-json) and Swagger UI (/docs); false answers 404 on both. */
  @EnvBool()
  @IsBoolean()
  API_DOCS_ENABLED = true;

  /** `iss` of the access tokens, set on sign and checked on every verification. */
  @IsString()
  @IsNotEmpty()
  JWT_ISSUER = 'up-club';

  /** `aud` of the access tokens, set on sign and checked on every verification. */
  @IsString()
  @IsNotEmpty()
  JWT_AUDIENCE = 'up-club-api';

  /** Oldest Telegram Login Widget / Mini App `auth_date` accepted, in seconds. */
  @ToInt()
  @IsInt()
  @Min(1)
  TELEGRAM_AUTH_MAX_AGE_SECONDS = 86400;

  /** Sign-in rate limits per client IP and minute (docs/api.md); benchmarks raise them. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_REGISTER_PER_MINUTE = 5;

  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_TOKEN_PER_MINUTE = 10;

  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_CALLBACK_PER_MINUTE = 10;

  /** `POST /api/auth/email/verify` per client IP and minute. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_VERIFY_PER_MINUTE = 10;

  /** Verification mails (`/api/auth/email/resend`, `/api/users/me/email`) per member and hour. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_VERIFICATION_MAIL_PER_HOUR = 3;

  /** `POST /api/auth/password/forgot` per client IP and minute. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_FORGOT_PER_MINUTE = 5;

  /** `POST /api/auth/password/forgot` per email address (known or not) and hour. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_FORGOT_PER_EMAIL_PER_HOUR = 3;

  /** `POST /api/auth/password/reset` per client IP and minute. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_RESET_PER_MINUTE = 10;

  /** `POST /api/users/me/link/telegram` per member and hour. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LINK_PER_HOUR = 10;

  /** `POST /api/auth/refresh` per client IP and minute (a client refreshes every few minutes). */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_REFRESH_PER_MINUTE = 30;

  /** `POST /api/auth/logout` per client IP and minute. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGOUT_PER_MINUTE = 30;

  /** `POST /api/auth/generate-code` per client IP and minute. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_GENERATE_CODE_PER_MINUTE = 10;

  /** `POST /api/auth/telegram` per client IP and minute. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_TELEGRAM_PER_MINUTE = 10;

  /** `POST /api/users/me/password` per member and hour: it checks the current password. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR = 10;

  /** Writes (events, profile, sessions) per member and minute, all routes together. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_WRITES_PER_MINUTE = 60;

  /** Admin writes (`/api/admin/...`) per admin and minute, all routes together. */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_ADMIN_WRITES_PER_MINUTE = 60;

  /** IPv6 clients count by their network of this many bits for every per-IP limit. */
  @ToInt()
  @IsInt()
  @Min(32)
  @Max(128)
  RATE_LIMIT_IPV6_PREFIX = 64;

  /**
   * Password sign-in: failed attempts per email (known or not) before each further attempt waits;
   * the wait starts at RATE_LIMIT_LOGIN_DELAY_BASE_MS and doubles per failure up to
   * RATE_LIMIT_LOGIN_DELAY_MAX_SECONDS. A success resets the count; an idle count is forgotten
   * after RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_FAILURES = 5;

  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_DELAY_BASE_MS = 1000;

  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_DELAY_MAX_SECONDS = 900;

  @ToInt()
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_FAILURE_WINDOW_SECONDS = 3600;

  usesDevelopmentJwtSecret(): boolean {
    return this.JWT_SECRET === DEVELOPMENT_JWT_SECRET;
  }

  /** The origins CORS allows. */
  corsOrigins(): string[] {
    return this.CORS_ORIGINS.length > 0 ? this.CORS_ORIGINS : [new URL(this.WEB_APP_URL).origin];
  }
}
