import { Transform } from 'class-transformer';

// Normalisations applied when a ValidationPipe with `transform: true` turns a payload into its DTO
// (both on the gateway and on the bus). Services normalise again, so a caller that skips the pipe
// still gets the same behaviour.

/** Trims surrounding whitespace. */
export const Trim = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Trims and lower-cases (emails compare case-insensitively). */
export const TrimLowerCase = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** Trims and upper-cases (referral codes are typed by people: `up-abc123` means `UP-ABC123`). */
export const TrimUpperCase = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));

/** Query-string numbers (`?limit=10`) arrive as strings on HTTP; bus payloads are numbers. */
export const ToInt = () =>
  Transform(({ value }) =>
    typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value,
  );
