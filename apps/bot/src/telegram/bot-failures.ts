import { isBusRemoteError, isBusTimeoutError } from '@up/bus';
import { ErrorCode } from '@up/contracts';

/**
 * What a failed handler tells the member: a service that did not answer (or broke) means "this
 * feature is unavailable for now"; a deactivated member is told so; anything else is our bug.
 */
export type FailureKind = 'unavailable' | 'member-inactive' | 'unexpected';

export function classifyFailure(error: unknown): FailureKind {
  if (isBusTimeoutError(error)) return 'unavailable';
  if (isBusRemoteError(error)) {
    if (error.code === ErrorCode.MEMBER_INACTIVE) return 'member-inactive';
    if (error.code === ErrorCode.SERVICE_UNAVAILABLE || error.status >= 500) return 'unavailable';
  }
  return 'unexpected';
}

/** The error code a bus call failed with, when the handler answered with one. */
export function busErrorCode(error: unknown): string | undefined {
  return isBusRemoteError(error) ? error.code : undefined;
}
