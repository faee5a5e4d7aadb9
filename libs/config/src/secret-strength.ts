/**
 * How strong a secret looks, judged without ever showing it. Hand-written because the checks are
 * small and specific to configuration values (a password-strength library such as zxcvbn is built
 * for human passwords: large dictionaries, and scores that say nothing about random keys).
 */

/**
 * Fragments that mark a value somebody meant to replace: template placeholders, documentation
 * examples, the usual defaults. Compared case-insensitively with `-`, `_`, `.` and spaces removed,
 * so `CHANGE_ME`, `change-me` and `ChangeMe` are one fragment. Each is long enough (4+ letters) that
 * a random key contains it by chance with negligible probability (about 1 in 10^5 for a 43-character
 * base64 key and the shortest fragment), so a real key is not refused for being unlucky.
 */
export const PLACEHOLDER_FRAGMENTS = [
  'changeme',
  'replaceme',
  'placeholder',
  'example',
  'secret',
  'password',
  'passwd',
  'xxxx',
  'todo',
  'dummy',
  'sample',
  'default',
  'insecure',
  'notreal',
  'donotuse',
  'qwerty',
  'letmein',
  'admin',
] as const;

/** Minimum estimated entropy of a secret, in bits: the usual security level of a symmetric key. */
export const MIN_SECRET_BITS = 128;

/**
 * Runs this long of one character (`aaaaaaaa`) or of consecutive characters (`abcdefgh`,
 * `12345678`) are typed, not generated. Eight keeps false alarms on random keys below 1 in 10^6.
 */
const MAX_RUN = 7;

export type SecretWeakness = 'placeholder' | 'pattern' | 'low-entropy' | 'too-short';

/**
 * Entropy of `value` estimated as its length times the Shannon entropy of its own character
 * frequencies. For a random key over an alphabet of k characters this approaches log2(k) bits per
 * character (hex 4, base64 6); repetition and small alphabets bring it down. It undercounts short
 * random strings (32 random hex characters give about 118 of their 128 bits), which errs on the
 * refusing side: the cure, a longer generated key, costs nothing.
 */
export function estimatedEntropyBits(value: string): number {
  const chars = [...value];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}

function normalized(value: string): string {
  return value.toLowerCase().replace(/[-_.\s]/g, '');
}

export function looksLikePlaceholder(value: string): boolean {
  const text = normalized(value);
  return PLACEHOLDER_FRAGMENTS.some((fragment) => text.includes(fragment));
}

/** A run of more than MAX_RUN equal, ascending or descending characters (by code point). */
export function hasTypedRun(value: string): boolean {
  const codes = [...value].map((char) => char.codePointAt(0) ?? 0);
  for (const step of [0, 1, -1]) {
    let run = 1;
    for (let i = 1; i < codes.length; i++) {
      run = codes[i] - codes[i - 1] === step ? run + 1 : 1;
      if (run > MAX_RUN) return true;
    }
  }
  return false;
}

/**
 * The first reason `value` is not good enough as a production secret, or null when it is. The
 * reason never contains the value, so it can go into an error message.
 */
export function secretWeakness(
  value: string,
  options: { minLength?: number; minBits?: number } = {},
): SecretWeakness | null {
  const { minLength = 0, minBits = MIN_SECRET_BITS } = options;
  if (looksLikePlaceholder(value)) return 'placeholder';
  if ([...value].length < minLength) return 'too-short';
  if (hasTypedRun(value)) return 'pattern';
  if (estimatedEntropyBits(value) < minBits) return 'low-entropy';
  return null;
}

export function describeWeakness(
  weakness: SecretWeakness,
  options: { minLength?: number; minBits?: number } = {},
): string {
  const { minLength = 0, minBits = MIN_SECRET_BITS } = options;
  switch (weakness) {
    case 'placeholder':
      return 'looks like a placeholder or a well-known value';
    case 'too-short':
      return `is shorter than ${minLength} characters`;
    case 'pattern':
      return 'contains a typed pattern (a run of repeated or consecutive characters)';
    case 'low-entropy':
      return `looks too predictable (under ~${minBits} bits estimated)`;
  }
}

/** The password of a URL (`scheme://user:password@host`), percent-decoded; undefined when none. */
export function passwordOfUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.password === '') return undefined;
  try {
    return decodeURIComponent(url.password);
  } catch {
    return url.password;
  }
}
