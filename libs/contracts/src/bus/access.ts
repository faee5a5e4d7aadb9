/**
 * Who may send what on the bus: every request pattern names the parties allowed to call it, every
 * event the parties allowed to publish it. The bus checks these on the receiving side against the
 * sender identity it has verified (an HMAC of the message with the sender's own key), before any
 * handler runs; a pattern without an entry is refused. Declared with the pattern
 * (`requestPattern(name, { callers })`), so a new message cannot be added without saying who sends
 * it.
 */

/** Every app that signs bus messages under its own key. WIRE NAMES (the `s` of a bus entry). */
export const BUS_PARTIES = ['gateway', 'bot', 'users', 'auth-codes', 'events'] as const;
export type BusParty = (typeof BUS_PARTIES)[number];

export interface RequestAccess {
  /** The parties that may send this request; anyone else is answered FORBIDDEN (403). */
  callers: readonly BusParty[];
}

export interface EventAccess {
  /** The parties that may publish this event; anyone else's copy is dropped and logged. */
  publishers: readonly BusParty[];
}

export type BusMessageKind = 'request' | 'event';

const requestCallers = new Map<string, readonly string[]>();
const eventPublishers = new Map<string, readonly string[]>();

export function registerRequestAccess(pattern: string, access: RequestAccess): void {
  requestCallers.set(pattern, access.callers);
}

export function registerEventAccess(event: string, access: EventAccess): void {
  eventPublishers.set(event, access.publishers);
}

/** The parties allowed to send `pattern`; undefined when it was never declared (refuse it). */
export function allowedSendersOf(
  kind: BusMessageKind,
  pattern: string,
): readonly string[] | undefined {
  return (kind === 'request' ? requestCallers : eventPublishers).get(pattern);
}
