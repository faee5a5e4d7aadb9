import { DomainError, ErrorCode } from '@up/contracts';

/** One answer for an unknown, used, expired or mistyped token: it must not tell which. */
export function invalidToken(): DomainError {
  return new DomainError(ErrorCode.INVALID_TOKEN, 'This link is invalid or has expired');
}

export function currentPasswordRequired(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'current_password is required', {
    current_password: ['current_password is required to change a password'],
  });
}

export function currentPasswordWrong(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'current_password is incorrect', {
    current_password: ['current_password is incorrect'],
  });
}
