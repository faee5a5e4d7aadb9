import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * ISO 8601 date-time with an explicit offset (`2025-12-20T18:00:00.000Z`, `...+03:00`) or a date
 * (`2025-12-20`, midnight UTC). A date-time without an offset would mean different instants on
 * different machines, so it is refused.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

export function parseInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const match = ISO_INSTANT.exec(value);
  if (!match) return null;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  // Date rolls calendar overflows over (2025-02-30 becomes 2025-03-02) instead of failing.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (match[1] && Number(match[1].slice(1, 3)) > 23) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An ISO 8601 instant as `parseInstant` accepts it. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an ISO 8601 date-time with a UTC offset (e.g. 2025-12-20T18:00:00.000Z)`,
        ...options,
      },
      validator: { validate: (value: unknown) => parseInstant(value) !== null },
    });
}

/**
 * This date is not before the sibling date property `field` (when both are present and valid;
 * each is validated on its own by IsInstant).
 */
export function IsNotBefore(field: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotBefore',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [field],
      options: { message: `${String(propertyName)} must not be before ${field}`, ...options },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const other = (args.object as Record<string, unknown>)[field];
          const mine = parseInstant(value);
          const theirs = parseInstant(other);
          if (mine === null || theirs === null) return true;
          return mine.getTime() >= theirs.getTime();
        },
      },
    });
}
