import { DomainError, ErrorCode } from '@up/contracts';

export function memberNotFound(): DomainError {
  return new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'Member not found');
}

export function memberInactive(): DomainError {
  return new DomainError(ErrorCode.MEMBER_INACTIVE, 'This member is deactivated');
}

export function usernameTaken(): DomainError {
  return new DomainError(ErrorCode.USERNAME_TAKEN, 'This username is taken');
}
