/**
 * Every expected failure on the platform has a stable string code. Codes travel over the bus in
 * `{status, code, message}`; `httpStatusOf` below is the one place that maps a code to its HTTP
 * status, used by services when they raise and by the gateway when it answers.
 * WIRE NAMES: clients may branch on these; add new ones, do not rename.
 */
export const ErrorCode = {
  // Generic
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  // Sign-in
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  INVALID_AUTH_CODE: 'INVALID_AUTH_CODE',
  INVALID_REFRESH_TOKEN: 'INVALID_REFRESH_TOKEN',
  INVALID_TELEGRAM_AUTH: 'INVALID_TELEGRAM_AUTH',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /** A mailed token (email verification, password reset) that is unknown, used or expired. */
  INVALID_TOKEN: 'INVALID_TOKEN',
  // Members
  MEMBER_NOT_FOUND: 'MEMBER_NOT_FOUND',
  MEMBER_INACTIVE: 'MEMBER_INACTIVE',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  USERNAME_TAKEN: 'USERNAME_TAKEN',
  REFERRAL_CODE_NOT_FOUND: 'REFERRAL_CODE_NOT_FOUND',
  /** Linking a Telegram account to a member that holds another one. */
  TELEGRAM_ALREADY_LINKED: 'TELEGRAM_ALREADY_LINKED',
  /** Deleting an account without a password needs a sign-in within the last minutes. */
  RECENT_SIGN_IN_REQUIRED: 'RECENT_SIGN_IN_REQUIRED',
  // Coins
  INSUFFICIENT_COINS: 'INSUFFICIENT_COINS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  // Events
  EVENT_NOT_FOUND: 'EVENT_NOT_FOUND',
  EVENT_FULL: 'EVENT_FULL',
  EVENT_NOT_JOINABLE: 'EVENT_NOT_JOINABLE',
  ALREADY_JOINED: 'ALREADY_JOINED',
  NOT_JOINED: 'NOT_JOINED',
  // Waitlist
  EVENT_NOT_FULL: 'EVENT_NOT_FULL',
  ALREADY_WAITLISTED: 'ALREADY_WAITLISTED',
  NOT_WAITLISTED: 'NOT_WAITLISTED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status of each code. Exhaustive: a new code does not compile until it is mapped. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.INVALID_TOKEN:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.INVALID_CREDENTIALS:
    case ErrorCode.INVALID_AUTH_CODE:
    case ErrorCode.INVALID_REFRESH_TOKEN:
    case ErrorCode.INVALID_TELEGRAM_AUTH:
      return 401;
    case ErrorCode.INSUFFICIENT_COINS:
      return 402;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.MEMBER_INACTIVE:
    case ErrorCode.RECENT_SIGN_IN_REQUIRED:
      return 403;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.MEMBER_NOT_FOUND:
    case ErrorCode.REFERRAL_CODE_NOT_FOUND:
    case ErrorCode.EVENT_NOT_FOUND:
    case ErrorCode.SESSION_NOT_FOUND:
      return 404;
    case ErrorCode.CONFLICT:
    case ErrorCode.EMAIL_TAKEN:
    case ErrorCode.USERNAME_TAKEN:
    case ErrorCode.TELEGRAM_ALREADY_LINKED:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
    case ErrorCode.EVENT_FULL:
    case ErrorCode.EVENT_NOT_JOINABLE:
    case ErrorCode.ALREADY_JOINED:
    case ErrorCode.NOT_JOINED:
    case ErrorCode.EVENT_NOT_FULL:
    case ErrorCode.ALREADY_WAITLISTED:
    case ErrorCode.NOT_WAITLISTED:
      return 409;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 503;
    case ErrorCode.INTERNAL:
      return 500;
    default: {
      const unmapped: never = code;
      throw new Error(`Unmapped error code ${String(unmapped)}`);
    }
  }
}

/** The code a bare HTTP status stands for, where there is a natural one. */
export function errorCodeOfStatus(status: number): ErrorCode | undefined {
  switch (status) {
    case 400:
      return ErrorCode.VALIDATION_FAILED;
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.CONFLICT;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 503:
      return ErrorCode.SERVICE_UNAVAILABLE;
    default:
      return undefined;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ErrorCode;
}

/** What a failed handler sends back over the bus. */
export interface BusErrorPayload {
  status: number;
  code: string;
  message: string;
  /** Field errors for VALIDATION_FAILED. */
  details?: unknown;
}

export function isBusErrorPayload(value: unknown): value is BusErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BusErrorPayload).code === 'string' &&
    typeof (value as BusErrorPayload).status === 'number' &&
    typeof (value as BusErrorPayload).message === 'string'
  );
}

/**
 * An expected failure that travels as a BusErrorPayload: a DomainError, or (in libs/bus) the error
 * a service further down answered with, or its timeout.
 */
export abstract class PayloadError extends Error {
  abstract toPayload(): BusErrorPayload;
}

/**
 * The payload an expected failure travels as, or undefined for anything else, which each side
 * answers as INTERNAL its own way (the bus filter and the gateway log it with an error id). The
 * one mapping behind the bus server, the bus exception filter and the gateway's error bodies.
 */
export function errorPayloadOf(error: unknown): BusErrorPayload | undefined {
  return error instanceof PayloadError ? error.toPayload() : undefined;
}

/**
 * An expected failure raised by a service, with its code; the status follows from the code. The
 * bus exception filter sends it back as a BusErrorPayload.
 */
export class DomainError extends PayloadError {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = httpStatusOf(code);
  }

  override toPayload(): BusErrorPayload {
    return {
      status: this.status,
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}
