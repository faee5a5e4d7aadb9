import { DomainError, ErrorCode } from '@up/contracts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** What a client may send as `Idempotency-Key`: printable ASCII, short enough to prefix. */
const ACCEPTABLE_KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * The users ledger's idempotency key of an administrator's coin adjustment: the client's
 * `Idempotency-Key` when it sent one, else its request id (`X-Request-Id`, which the gateway
 * replaces by a fresh UUID when absent: then every call is a new adjustment, as before). Scoped to
 * the administrator so that one admin's key never answers for another's request, and the two
 * sources never meet each other's keys.
 */
export function adminLedgerKey(args: {
  actorId: string;
  idempotencyKey: string | string[] | undefined;
  requestId: string;
}): string {
  const { actorId, idempotencyKey, requestId } = args;
  if (idempotencyKey === undefined) return `admin:${actorId}:request:${requestId}`;
  if (typeof idempotencyKey !== 'string' || !ACCEPTABLE_KEY.test(idempotencyKey)) {
    const message = 'Idempotency-Key must be one header of 1 to 128 printable ASCII characters';
    throw new DomainError(ErrorCode.VALIDATION_FAILED, message, {
      'Idempotency-Key': [message],
    });
  }
  return `admin:${actorId}:key:${idempotencyKey}`;
}
