import { DomainError, ErrorCode } from '@up/contracts';

export function invalidCoinAmount(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'A coin amount is a non-zero integer');
}

/** The details tell the caller how far short the balance is. */
export function insufficientCoins(args: { balance: number; required: number }): DomainError {
  return new DomainError(ErrorCode.INSUFFICIENT_COINS, 'Not enough UP coins', {
    balance: args.balance,
    required: args.required,
  });
}

/** The key names an earlier change of another member, amount or kind. */
export function idempotencyKeyReused(): DomainError {
  return new DomainError(
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
    'This idempotency key was already used for another coin change',
  );
}
