import { DomainError, ErrorCode } from '@up/contracts';

/** One message for an unknown email and a wrong password: it must not tell which. */
export const INVALID_CREDENTIALS_MESSAGE = 'Incorrect email or password';

export function invalidCredentials(): DomainError {
  return new DomainError(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
}

export function emailTaken(): DomainError {
  return new DomainError(ErrorCode.EMAIL_TAKEN, 'This email is already registered');
}
