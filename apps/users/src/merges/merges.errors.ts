import { DomainError, ErrorCode } from '@up/contracts';

export function telegramAlreadyLinked(): DomainError {
  return new DomainError(
    ErrorCode.TELEGRAM_ALREADY_LINKED,
    'This account is linked to another Telegram account',
  );
}

/** A merge whose saga state went missing: a bug, never an expected answer. */
export function mergeNotFound(id: string): Error {
  return new Error(`member merge ${id} not found`);
}
