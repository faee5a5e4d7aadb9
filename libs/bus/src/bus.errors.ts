import { BusErrorPayload, ErrorCode, PayloadError } from '@up/contracts';

/** No reply arrived in time: the target service is down, overloaded or unreachable. */
export class BusTimeoutError extends PayloadError {
  readonly code = ErrorCode.SERVICE_UNAVAILABLE;
  readonly status = 503;

  constructor(
    readonly pattern: string,
    readonly timeoutMs: number,
  ) {
    super(`Bus request "${pattern}" got no reply within ${timeoutMs} ms`);
    this.name = 'BusTimeoutError';
  }

  /** Passed on by a service that called another one as SERVICE_UNAVAILABLE. */
  override toPayload(): BusErrorPayload {
    return { status: this.status, code: this.code, message: this.message };
  }
}

/** Redis is not connected, and the caller asked not to wait for it. */
export class BusUnavailableError extends Error {
  readonly code = ErrorCode.SERVICE_UNAVAILABLE;
  readonly status = 503;

  constructor(reason: string) {
    super(`Bus unavailable: ${reason}`);
    this.name = 'BusUnavailableError';
  }
}

/** The handler answered with an error; `payload` is what it sent (`{status, code, message, details?}`). */
export class BusRemoteError extends PayloadError {
  constructor(
    readonly payload: BusErrorPayload,
    readonly pattern?: string,
  ) {
    super(payload.message);
    this.name = 'BusRemoteError';
  }

  /** Passed on as it came: the service further down already chose the code. */
  override toPayload(): BusErrorPayload {
    return this.payload;
  }

  get code(): string {
    return this.payload.code;
  }

  get status(): number {
    return this.payload.status;
  }

  get details(): unknown {
    return this.payload.details;
  }
}

export function isBusTimeoutError(error: unknown): error is BusTimeoutError {
  return error instanceof BusTimeoutError;
}

export function isBusRemoteError(error: unknown): error is BusRemoteError {
  return error instanceof BusRemoteError;
}
