import { DomainError, ErrorCode } from '@up/contracts';

/** One answer for unknown, expired, revoked and reused tokens: the caller learns nothing more. */
export function invalidRefreshToken(): DomainError {
  return new DomainError(ErrorCode.INVALID_REFRESH_TOKEN, 'Invalid or expired refresh token');
}
