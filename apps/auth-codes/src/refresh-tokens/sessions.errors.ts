import { DomainError, ErrorCode } from '@up/contracts';

/**
 * One answer for an unknown session, one that ended, and another member's: a member never learns
 * whether someone else's session id exists.
 */
export function sessionNotFound(): DomainError {
  return new DomainError(ErrorCode.SESSION_NOT_FOUND, 'Session not found');
}
