import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { FieldErrors, fieldErrorsOf } from '@up/contracts';

/** A request body, query or path parameter that failed its DTO's rules. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly fields: FieldErrors) {
    super(Object.values(fields).flat().join('; ') || 'Validation failed');
    this.name = 'RequestValidationError';
  }
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
