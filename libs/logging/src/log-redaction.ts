import { stdSerializers } from 'pino';

/** Query parameters whose values are credentials (one-time login codes, tokens). */
const SECRET_QUERY_PARAMS = /([?&](?:code|token|access_token|refresh_token)=)[^&#\s"']*/gi;
/** A Telegram bot token in an API URL (`/bot123456:ABC-def/sendMessage`). */
const BOT_TOKEN_IN_URL = /(\/bot\d+:)[A-Za-z0-9_-]+/g;

const REDACTED = '[redacted]';

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, `$1${REDACTED}`);
}

/** A free text (an error message, a stack) with the credentials it may quote masked. */
export function redactText(text: string): string {
  return redactUrl(text).replace(BOT_TOKEN_IN_URL, `$1${REDACTED}`);
}

type SerializedError = Record<string, unknown>;

function isSerializedError(value: unknown): value is SerializedError {
  const candidate = value as SerializedError | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.type === 'string' &&
    typeof candidate.message === 'string'
  );
}

/**
 * Masks what a serialized error may carry of a request it failed: Telegraf's TelegramError keeps
 * the call's whole payload in `on.payload` (a login reply's text and its button URL with the
 * one-time code), so only the method is kept; messages and stacks get URL credentials masked.
 * Only objects made by pino's serializer are changed (never the logged error itself), and nested
 * errors (AggregateError members, errors held in fields) are walked a few levels deep.
 */
function redactSerializedError(err: SerializedError, depth: number): SerializedError {
  if (typeof err.message === 'string') err.message = redactText(err.message);
  if (typeof err.stack === 'string') err.stack = redactText(err.stack);
  const on = err.on as { method?: unknown; payload?: unknown } | null | undefined;
  if (typeof on === 'object' && on !== null && 'payload' in on) {
    err.on = { method: on.method, payload: REDACTED };
  }
  if (depth <= 0) return err;
  for (const [key, value] of Object.entries(err)) {
    if (Array.isArray(value) && key === 'aggregateErrors') {
      value.forEach((item) => isSerializedError(item) && redactSerializedError(item, depth - 1));
    } else if (isSerializedError(value)) {
      redactSerializedError(value, depth - 1);
    }
  }
  return err;
}

/** pino's `err` serializer, with credentials taken out (see redactSerializedError). */
export function serializeError(err: unknown): unknown {
  const serialized: unknown = stdSerializers.err(err as Error);
  return isSerializedError(serialized) ? redactSerializedError(serialized, 3) : serialized;
}
