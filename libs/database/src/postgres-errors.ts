import { QueryFailedError } from 'typeorm';

/** PostgreSQL error codes the services react to (SQLSTATE, Appendix A of the PostgreSQL manual). */
export const PgErrorCode = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
} as const;

interface PgDriverError {
  code?: string;
  constraint?: string;
}

function driverErrorOf(error: unknown): PgDriverError | undefined {
  return error instanceof QueryFailedError ? (error.driverError as PgDriverError) : undefined;
}

function violates(error: unknown, code: string, constraint?: string): boolean {
  const driverError = driverErrorOf(error);
  return (
    driverError?.code === code &&
    (constraint === undefined || driverError.constraint === constraint)
  );
}

/** True when `error` is a unique violation (of `constraint`, an index or constraint name, when given). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return violates(error, PgErrorCode.UNIQUE_VIOLATION, constraint);
}

export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  return violates(error, PgErrorCode.FOREIGN_KEY_VIOLATION, constraint);
}

export function isCheckViolation(error: unknown, constraint?: string): boolean {
  return violates(error, PgErrorCode.CHECK_VIOLATION, constraint);
}

/** Failures after which running the whole transaction again is correct and likely to succeed. */
export function isTransientTransactionFailure(error: unknown): boolean {
  const code = driverErrorOf(error)?.code;
  return code === PgErrorCode.SERIALIZATION_FAILURE || code === PgErrorCode.DEADLOCK_DETECTED;
}
