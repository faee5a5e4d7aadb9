import { QueryFailedError } from 'typeorm';

/** PostgreSQL error codes the users service reacts to. */
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

/** True when `error` is a unique violation (of `constraint`, when given: an index name here). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError = driverErrorOf(error);
  return (
    driverError?.code === PgErrorCode.UNIQUE_VIOLATION &&
    (constraint === undefined || driverError.constraint === constraint)
  );
}

export function isForeignKeyViolation(error: unknown): boolean {
  return driverErrorOf(error)?.code === PgErrorCode.FOREIGN_KEY_VIOLATION;
}

/** Failures after which running the whole transaction again is correct and likely to succeed. */
export function isTransientTransactionFailure(error: unknown): boolean {
  const code = driverErrorOf(error)?.code;
  return code === PgErrorCode.SERIALIZATION_FAILURE || code === PgErrorCode.DEADLOCK_DETECTED;
}
