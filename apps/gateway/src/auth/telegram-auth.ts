import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError, ErrorCode } from '@up/contracts';

/**
 * Telegram's two ways of vouching for a user, checked as Telegram specifies:
 * - Login Widget (https://core.telegram.org/widgets/login#checking-authorization): the hex
 *   HMAC-SHA-256 of the data-check-string keyed with SHA-256(bot token);
 * - Mini App init data (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
 *   the same HMAC keyed with HMAC-SHA-256(key "WebAppData", message bot token).
 * The data-check-string is every received field but `hash`, as `key=value`, sorted by key, joined
 * with "\n". Hashes are compared in constant time; `auth_date` must be at most `maxAgeSeconds` old.
 *
 * Hand-written (about fifty lines) because the maintained packages each cover one of the two
 * schemes and would bring their own data models; this needs only node:crypto.
 */

/** Clock skew tolerated for an `auth_date` slightly in the future. */
const FUTURE_SKEW_SECONDS = 300;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export interface TelegramCheckOptions {
  botToken: string;
  /** Oldest accepted `auth_date`, in seconds (TELEGRAM_AUTH_MAX_AGE_SECONDS). */
  maxAgeSeconds: number;
  /** Unix seconds; defaults to the current time. */
  now?: number;
}

/** A Telegram user as both schemes describe them. */
export interface TelegramIdentity {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  photo_url?: string;
  language_code?: string;
}

/**
 * The profile fields of a Telegram user that Telegram sent, for the users service's messages
 * (which take each as optional, so an absent one is left out rather than sent as undefined).
 */
export function telegramProfileFields(identity: TelegramIdentity): Omit<TelegramIdentity, 'id'> {
  const fields: Omit<TelegramIdentity, 'id'> = {
    username: identity.username,
    first_name: identity.first_name,
    last_name: identity.last_name,
    photo_url: identity.photo_url,
    language_code: identity.language_code,
  };
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Omit<TelegramIdentity, 'id'>;
}

export interface VerifiedTelegramData {
  user: TelegramIdentity;
  /** Unix seconds. */
  auth_date: number;
  /** Telegram's signature of the data (hex, lower case): what makes one payload unique. */
  hash: string;
}

export function invalidTelegramAuth(message = 'Invalid Telegram authentication data'): DomainError {
  return new DomainError(ErrorCode.INVALID_TELEGRAM_AUTH, message);
}

export function dataCheckString(fields: ReadonlyMap<string, string>): string {
  return [...fields.keys()]
    .filter((key) => key !== 'hash')
    .sort()
    .map((key) => `${key}=${fields.get(key)}`)
    .join('\n');
}

/** Login Widget secret: SHA-256 of the bot token. */
export function loginWidgetSecret(botToken: string): Buffer {
  return createHash('sha256').update(botToken).digest();
}

/** Mini App secret: HMAC-SHA-256 of the bot token keyed with the constant "WebAppData". */
export function miniAppSecret(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

export function signDataCheckString(secret: Buffer, fields: ReadonlyMap<string, string>): string {
  return createHmac('sha256', secret).update(dataCheckString(fields)).digest('hex');
}

/**
 * Checks Login Widget data as the client posted it (every field it received from Telegram, so a
 * field Telegram adds later is still covered by the hash). Only scalar values can have been signed.
 */
export function verifyLoginWidget(
  body: Record<string, unknown>,
  options: TelegramCheckOptions,
): VerifiedTelegramData {
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalidTelegramAuth();
    }
    fields.set(key, String(value));
  }
  const hash = checkSignature(fields, loginWidgetSecret(options.botToken));
  const authDate = checkAge(fields, options);
  const id = Number(fields.get('id'));
  if (!Number.isSafeInteger(id) || id <= 0) throw invalidTelegramAuth();
  return {
    auth_date: authDate,
    hash,
    user: {
      id,
      first_name: fields.get('first_name'),
      last_name: fields.get('last_name'),
      username: fields.get('username'),
      photo_url: fields.get('photo_url'),
    },
  };
}

/** Checks Mini App init data (`Telegram.WebApp.initData`, the query string as the client got it). */
export function verifyInitData(
  initData: string,
  options: TelegramCheckOptions,
): VerifiedTelegramData {
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(initData)) {
    if (fields.has(key)) throw invalidTelegramAuth(); // a repeated key is not something Telegram signs
    fields.set(key, value);
  }
  const hash = checkSignature(fields, miniAppSecret(options.botToken));
  const authDate = checkAge(fields, options);
  return { auth_date: authDate, hash, user: parseInitDataUser(fields.get('user')) };
}

/** The signature, checked; returned in lower case (upper-case hex is the same signature). */
function checkSignature(fields: ReadonlyMap<string, string>, secret: Buffer): string {
  const received = fields.get('hash');
  if (received === undefined || !HEX_SHA256.test(received)) throw invalidTelegramAuth();
  const expected = Buffer.from(signDataCheckString(secret, fields), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(received, 'hex'))) throw invalidTelegramAuth();
  return received.toLowerCase();
}

function checkAge(fields: ReadonlyMap<string, string>, options: TelegramCheckOptions): number {
  const authDate = Number(fields.get('auth_date'));
  if (!Number.isSafeInteger(authDate) || authDate <= 0) throw invalidTelegramAuth();
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (now - authDate > options.maxAgeSeconds) {
    throw invalidTelegramAuth('Telegram authentication data is too old');
  }
  if (authDate - now > FUTURE_SKEW_SECONDS) throw invalidTelegramAuth();
  return authDate;
}

function parseInitDataUser(raw: string | undefined): TelegramIdentity {
  if (raw === undefined) throw invalidTelegramAuth('Telegram init data carries no user');
  let user: unknown;
  try {
    user = JSON.parse(raw);
  } catch {
    throw invalidTelegramAuth();
  }
  const candidate = user as Record<string, unknown> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    !Number.isSafeInteger(candidate.id) ||
    (candidate.id as number) <= 0
  ) {
    throw invalidTelegramAuth();
  }
  const text = (key: string) =>
    typeof candidate[key] === 'string' ? (candidate[key] as string) : undefined;
  return {
    id: candidate.id as number,
    first_name: text('first_name'),
    last_name: text('last_name'),
    username: text('username'),
    photo_url: text('photo_url'),
    language_code: text('language_code'),
  };
}
