import type { ValidationError } from 'class-validator';

/**
 * Failing fields of a request or bus message: `{"email": ["email must be an email"],
 * "address.city": [...]}`. The one shape for validation details, whether a service's pipe or the
 * gateway's found them, so the gateway passes a service's field errors on to the client as is.
 */
export type FieldErrors = Record<string, string[]>;

/** class-validator errors as FieldErrors, nested fields flattened to dotted paths. */
export function fieldErrorsOf(errors: ValidationError[], parent = ''): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) fields[path] = messages;
    Object.assign(fields, fieldErrorsOf(error.children ?? [], path));
  }
  return fields;
}

export function isFieldErrors(value: unknown): value is FieldErrors {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (messages) => Array.isArray(messages) && messages.every((m) => typeof m === 'string'),
    )
  );
}
