/**
 * Idempotency keys of the coin movements of one join attempt. The users service applies a key at
 * most once, so these keys are what makes every debit and refund safe to repeat after a timeout,
 * a crash or a redelivered message.
 *
 * A member may leave and join the same event again; each join is a new attempt (1, 2, ...) with
 * its own keys, otherwise the second join would answer "already applied" and be free. The first
 * attempt's debit key is `join:<event>:<member>`, as the users service and support know it.
 * Each attempt has exactly one refund key: `join-refund:...`, shared by "left before the start"
 * and "the seat was lost after paying", or `cancel-refund:...` when the event was cancelled. An
 * attempt ends `left`, `failed` or `cancelled` once and for all (under the event's lock), so the
 * key it is refunded with never changes: an attempt is refunded at most once, whatever happens.
 * A promotion from the waitlist is an attempt like any other, with its own keys.
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

export function cancelRefundKey({ eventId, memberId, attempt }: AttemptRef): string {
  return `cancel-refund:${eventId}:${memberId}:${attempt}`;
}

/** The refund of an attempt that ended with `status`: its key and its ledger reason. */
export function refundOf(seat: AttemptRef & { status: string; title: string }): {
  key: string;
  reason: string;
} {
  return seat.status === 'cancelled'
    ? { key: cancelRefundKey(seat), reason: ledgerReason('Event cancelled', seat.title) }
    : { key: joinRefundKey(seat), reason: ledgerReason('Refund', seat.title) };
}

/** Ledger reasons are at most 200 characters; titles may be 200 on their own. */
export function ledgerReason(prefix: string, title: string): string {
  const reason = `${prefix}: ${title}`;
  return reason.length <= 200 ? reason : `${reason.slice(0, 199)}…`;
}
