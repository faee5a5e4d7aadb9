import { DomainError, ErrorCode } from '@up/contracts';

export function passwordRequired(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'password is required', {
    password: ['password is required to delete an account that has one'],
  });
}

export function passwordWrong(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'password is incorrect', {
    password: ['password is incorrect'],
  });
}

export function recentSignInRequired(minutes: number): DomainError {
  return new DomainError(
    ErrorCode.RECENT_SIGN_IN_REQUIRED,
    `Sign in again (within the last ${minutes} minutes) to delete this account`,
  );
}
