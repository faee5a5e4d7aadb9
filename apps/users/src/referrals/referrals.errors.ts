import { DomainError, ErrorCode } from '@up/contracts';

/** Unknown, malformed and deactivated members' codes all answer this. */
export function referralCodeNotFound(): DomainError {
  return new DomainError(ErrorCode.REFERRAL_CODE_NOT_FOUND, 'No member has this referral code');
}
