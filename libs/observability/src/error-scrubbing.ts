import type { Breadcrumb, ErrorEvent } from '@sentry/nestjs';
import { redactText } from '@up/logging';

const REDACTED = '[redacted]';

/**
 * Keys whose values are credentials wherever they appear: headers (Authorization, Cookie,
 * Set-Cookie, X-Api-Key), body and context fields (password, token, refresh_token, secret, the
 * Mini App's init data).
 */
const SECRET_KEY = /authori[sz]ation|cookie|passw(or)?d|secret|token|init_?data|api[-_]?key|dsn/i;

/**
 * Keys that are credentials in what a request carried (its query, body and headers, a
 * breadcrumb's data), though not elsewhere: an error's `code` is its error code, while a request's
 * `code` is a one-time login code, and `hash` signs a Telegram login.
 */
const REQUEST_SECRET_KEY = /^(code|hash)$/i;

/** Credentials quoted in free text: HTTP credentials, and `key=value` / `"key": "value"` pairs. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;
const SECRET_PAIR =
  /((?:^|[\s?&;,{])"?(?:password|token|access_token|refresh_token|code|hash|init_?data)"?\s*[=:]\s*)("[^"]*"|[^\s&;,}"]+)/gi;

function scrubText(text: string): string {
  return redactText(text)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(SECRET_PAIR, (_match, key: string, value: string) =>
      value.startsWith('"') ? `${key}"${REDACTED}"` : `${key}${REDACTED}`,
    );
}

/** Keeps walking bounded: Sentry has normalised events to a few levels by now. */
const MAX_DEPTH = 16;

function scrubValue(value: unknown, inRequest: boolean, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, inRequest, depth + 1));
  const scrubbed: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const secret = SECRET_KEY.test(key) || (inRequest && REQUEST_SECRET_KEY.test(key));
    scrubbed[key] =
      secret && item !== null && item !== undefined
        ? REDACTED
        : scrubValue(item, inRequest, depth + 1);
  }
  return scrubbed;
}

/**
 * An event as it may leave the process: credentials masked everywhere (by key, and in text: URLs
 * with codes or tokens, bot tokens, `Bearer ...`), and of the request it failed only what carries
 * no body: method, URL and headers, masked. Cookies and bodies are dropped whole (`sendDefaultPii`
 * is off as well, and no integration attaches them, so this is the last line, not the only one).
 */
export function scrubEvent<E extends ErrorEvent>(event: E): E {
  // The SDK's own bookkeeping (scopes, not data) is passed on untouched; it is not sent.
  const { request, breadcrumbs, sdkProcessingMetadata, ...rest } = event;
  const scrubbed = scrubValue(rest, false, 0) as E;
  if (sdkProcessingMetadata) scrubbed.sdkProcessingMetadata = sdkProcessingMetadata;
  if (request) {
    const { cookies: _cookies, data: _data, ...kept } = request;
    scrubbed.request = scrubValue(kept, true, 0) as E['request'];
  }
  if (breadcrumbs) {
    scrubbed.breadcrumbs = breadcrumbs.map((breadcrumb) => scrubBreadcrumb(breadcrumb));
  }
  return scrubbed;
}

/** A breadcrumb (an outgoing request, a log line) with the credentials it may carry masked. */
export function scrubBreadcrumb(breadcrumb: Breadcrumb): Breadcrumb {
  return scrubValue(breadcrumb, true, 0) as Breadcrumb;
}
