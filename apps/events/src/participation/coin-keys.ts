/**
 * Idempotency keys of the coin movements of one join attempt. The users service applies a key at
 * most once, so these keys are what makes every debit and refund safe to repeat after a timeout,
 * a crash or a redelivered message.
 *
 * A member may leave and join the same event again; each join is a new attempt (1, 2, ...) with
 * its own keys, otherwise the second join would answer "already applied" and be free. The first
 * attempt's debit key is `join:<event>:<member>`, as the users service and support know it.
 * Each attempt has exactly one refund key, shared by "left before the start" and "the seat was
 * lost after paying": an attempt is refunded at most once, whatever happens.
 */
export interface AttemptRef {
  eventId: string;
  memberId: string;
  attempt: number;
}

export function joinDebitKey({ eventId, memberId, attempt }: AttemptRef): string {
  return attempt === 1 ? `join:${eventId}:${memberId}` : `join:${eventId}:${memberId}:${attempt}`;
}

export function joinRefundKey({ eventId, memberId, attempt }: AttemptRef): string {
  return `join-refund:${eventId}:${memberId}:${attempt}`;
}

/** Ledger reasons are at most 200 characters; titles may be 200 on their own. */
export function ledgerReason(prefix: string, title: string): string {
  const reason = `${prefix}: ${title}`;
  return reason.length <= 200 ? reason : `${reason.slice(0, 199)}…`;
}
