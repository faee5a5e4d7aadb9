import { Transform } from 'class-transformer';
import { normalizeReferralCode } from '../users/referral-code';

// Normalisations applied when a ValidationPipe with `transform: true` turns a payload into its DTO
// (both on the gateway and on the bus). Services normalise again, so a caller that skips the pipe
// still gets the same behaviour.

/** Trims surrounding whitespace. */
export const Trim = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Trims and lower-cases (emails compare case-insensitively). */
export const TrimLowerCase = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** Referral codes are typed by people: `up-abc123` means `UP-ABC123`. */
export const NormalizeReferralCode = () =>
  Transform(({ value }) => (typeof value === 'string' ? normalizeReferralCode(value) : value));

/**
 * Integers written as strings: query strings (`?limit=10`) on HTTP and environment variables.
 * Only a plain decimal integer is converted; anything else is left for the validators to refuse.
 * Bus payloads already carry numbers, which pass through.
 */
export const ToInt = () =>
  Transform(({ value }) =>
    typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value,
  );
