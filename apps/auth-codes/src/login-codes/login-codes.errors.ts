import { DomainError, ErrorCode } from '@up/contracts';

/** The one answer for an unknown, expired, already used or mismatched code (docs/api.md wording). */
export function invalidAuthCode(): DomainError {
  return new DomainError(ErrorCode.INVALID_AUTH_CODE, 'Invalid or expired auth code');
}
