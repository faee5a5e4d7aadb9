import { Transform } from 'class-transformer';

// Environment values are strings; these decorators turn them into typed values before validation.
// Integers use @up/contracts' ToInt, the same transform that reads query strings.

export function EnvBool(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const normalized = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
    if (['false', '0', 'no', 'off'].includes(normalized)) return false;
    return value;
  });
}

/** Comma-separated list; blanks dropped. */
export function EnvList(): PropertyDecorator {
  return Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );
}
