import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** Failing fields of a request: `{"email": ["email must be an email"], "address.city": [...]}`. */
export type FieldErrors = Record<string, string[]>;

/** A request body, query or path parameter that failed its DTO's rules. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly fields: FieldErrors) {
    super(Object.values(fields).flat().join('; ') || 'Validation failed');
    this.name = 'RequestValidationError';
  }
}

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

/**
 * The gateway's global pipe: DTOs are instantiated (so query strings become numbers where the
 * DTO says so) and unknown properties are stripped; failures are 400 with the failing fields.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidUnknownValues: false,
    exceptionFactory: (errors) => new RequestValidationError(fieldErrorsOf(errors)),
  });
}
