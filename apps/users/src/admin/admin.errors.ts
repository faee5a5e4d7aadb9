import { DomainError, ErrorCode } from '@up/contracts';

/** Keeps the platform from losing its last administrator by a slip. */
export function forbiddenSelfDemotion(): DomainError {
  return new DomainError(
    ErrorCode.FORBIDDEN,
    'Administrators cannot deactivate or demote themselves',
  );
}

/** The gateway checked the role in the caller's token; the member has since lost it. */
export function forbiddenNotActiveAdmin(): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, 'Only an active administrator can do this');
}

export function coinAdjustmentNeedsReason(): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'A coin adjustment needs a reason', {
    reason: ['reason is required with coins_delta'],
  });
}
