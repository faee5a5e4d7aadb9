/**
 * Sizes shared by the auth-codes service and its callers. Login codes and refresh tokens are 32
 * random bytes in base64url (43 characters, 256 bits); anything much longer is not one of ours and
 * is refused before it reaches Redis or PostgreSQL.
 */
export const LOGIN_CODE_MAX_LENGTH = 128;
export const REFRESH_TOKEN_MAX_LENGTH = 256;

/** Telegram user ids fit in 52 bits (Telegram's guarantee), so a JS number holds them exactly. */
export const TELEGRAM_ID_MAX = Number.MAX_SAFE_INTEGER;

/**
 * The gateway passes at most this much of a client's User-Agent to the session list: enough to
 * name a browser and platform, bounded so a client cannot store kilobytes per sign-in.
 */
export const USER_AGENT_MAX_LENGTH = 256;
