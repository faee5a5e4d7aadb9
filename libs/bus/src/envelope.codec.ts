import { BusErrorPayload, redactSecrets } from '@up/contracts';

/**
 * The wire format of the bus.
 *
 * A stream entry has one field, `m`, holding the envelope as JSON (`{"k":"req","p":"users.get_profile",
 * "d":{...},"c":"<correlation id>","i":"<request id>","r":"<reply channel>","t":<deadline ms>}`;
 * an event has `"e":"<event id>","o":"<occurred at>"` instead of `i`, `r` and `t`; either may have
 * `"tp"`/`"ts"`, the W3C traceparent and tracestate of the span that sent it, see bus-tracing.ts).
 * One field rather than one per property: every message is encoded, sent, parsed and copied a few
 * times, and fewer, larger strings cost Redis, ioredis and the garbage collector less; `XRANGE` in
 * redis-cli still shows readable JSON.
 * Next to it, `s` names the sender and `h` is its HMAC-SHA256 of `m` (see BusKeyring); a reply
 * message on pub/sub is `<sender>\n<hmac>\n<JSON>`.
 * WIRE FORMAT: replicas of different versions read each other's entries during a rollout; add
 * optional properties, never rename or remove one.
 */
export interface RequestEnvelope {
  kind: 'request';
  /** Matches the reply to the waiting call. */
  id: string;
  pattern: string;
  data: unknown;
  correlationId?: string;
  /** The caller's reply channel. */
  replyTo: string;
  /** Epoch ms after which nobody waits for the answer, so the handler is skipped. */
  deadline: number;
  /** W3C trace context of the caller's span (absent when the caller does not trace). */
  traceparent?: string;
  tracestate?: string;
}

export interface EventEnvelope {
  kind: 'event';
  pattern: string;
  data: unknown;
  correlationId?: string;
  /**
   * The event's identity (a UUID), the same on every delivery of it, re-sends by the outbox
   * included: consumers deduplicate by it. Absent only in entries written before it existed.
   */
  eventId?: string;
  /** When the fact happened (ISO 8601 UTC), which may be well before it reached the bus. */
  occurredAt?: string;
  /** W3C trace context of the producer's span (for an outbox row: of the writing transaction). */
  traceparent?: string;
  tracestate?: string;
}

export type Envelope = RequestEnvelope | EventEnvelope;

export interface Reply {
  id: string;
  response?: unknown;
  err?: BusErrorPayload;
}

/** The message field of a bus stream entry. */
export const MESSAGE_FIELD = 'm';
/** The sender's name. */
export const SENDER_FIELD = 's';
/** The sender's MAC of the message field. */
export const SIGNATURE_FIELD = 'h';

/** Signs a message string: who sends it and their MAC of it. */
export type Signer = (pattern: string, message: string) => { sender: string; signature: string };

interface WireEnvelope {
  k: 'req' | 'evt';
  p: string;
  d: unknown;
  c?: string;
  i?: string;
  r?: string;
  t?: number;
  e?: string;
  o?: string;
  tp?: string;
  ts?: string;
}

/** The fields of a signed stream entry: `m`, `s`, `h`. */
export function encodeSignedEnvelope(envelope: Envelope, sign: Signer): string[] {
  const [, message] = encodeEnvelope(envelope);
  const { sender, signature } = sign(envelope.pattern, message);
  return [MESSAGE_FIELD, message, SENDER_FIELD, sender, SIGNATURE_FIELD, signature];
}

/** A stream entry's fields by role; any may be missing in an entry the bus did not write. */
export interface EntryFields {
  message?: string;
  sender?: string;
  signature?: string;
}

export function entryFieldsOf(fields: string[]): EntryFields {
  const found: EntryFields = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (fields[i] === MESSAGE_FIELD) found.message = value;
    else if (fields[i] === SENDER_FIELD) found.sender = value;
    else if (fields[i] === SIGNATURE_FIELD) found.signature = value;
  }
  return found;
}

/**
 * An entry's fields with the secret fields of its payload replaced by "[redacted]" (a dead-letter
 * copy). The signature goes too: it no longer matches, and the copy is never handled again.
 */
export function redactEntryFields(fields: string[]): string[] {
  const redacted: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [name, value] = [fields[i], fields[i + 1]];
    if (name === SIGNATURE_FIELD) continue;
    redacted.push(name, name === MESSAGE_FIELD ? redactMessage(value) : value);
  }
  return redacted;
}

function redactMessage(message: string): string {
  try {
    return JSON.stringify(redactSecrets(JSON.parse(message)));
  } catch {
    // Not JSON, so not a message the bus wrote: nothing of it can be read as a field.
    return message;
  }
}

export function encodeEnvelope(envelope: Envelope): string[] {
  // `undefined` is not JSON; an absent payload travels as null.
  const wire: WireEnvelope =
    envelope.kind === 'request'
      ? {
          k: 'req',
          p: envelope.pattern,
          d: envelope.data ?? null,
          c: envelope.correlationId,
          i: envelope.id,
          r: envelope.replyTo,
          t: envelope.deadline,
          tp: envelope.traceparent,
          ts: envelope.tracestate,
        }
      : {
          k: 'evt',
          p: envelope.pattern,
          d: envelope.data ?? null,
          c: envelope.correlationId,
          e: envelope.eventId,
          o: envelope.occurredAt,
          tp: envelope.traceparent,
          ts: envelope.tracestate,
        };
  return [MESSAGE_FIELD, JSON.stringify(wire)];
}

export class MalformedEnvelopeError extends Error {
  constructor(reason: string) {
    super(`Malformed bus message: ${reason}`);
    this.name = 'MalformedEnvelopeError';
  }
}

/** Reads a stream entry's fields; throws MalformedEnvelopeError for anything the bus did not write. */
export function decodeEnvelope(fields: string[]): Envelope {
  return decodeMessage(entryFieldsOf(fields).message);
}

/** Reads the message field of an entry; throws MalformedEnvelopeError for anything the bus did not write. */
export function decodeMessage(raw: string | undefined): Envelope {
  if (raw === undefined) throw new MalformedEnvelopeError(`no "${MESSAGE_FIELD}" field`);
  let wire: Partial<WireEnvelope>;
  try {
    wire = JSON.parse(raw) as Partial<WireEnvelope>;
  } catch {
    throw new MalformedEnvelopeError('not JSON');
  }
  if (typeof wire !== 'object' || wire === null || typeof wire.p !== 'string' || !wire.p) {
    throw new MalformedEnvelopeError('no pattern');
  }
  const correlationId = typeof wire.c === 'string' ? wire.c : undefined;
  const data = wire.d ?? null;
  const trace = {
    traceparent: typeof wire.tp === 'string' ? wire.tp : undefined,
    tracestate: typeof wire.ts === 'string' ? wire.ts : undefined,
  };
  if (wire.k === 'evt') {
    return {
      kind: 'event',
      pattern: wire.p,
      data,
      correlationId,
      eventId: typeof wire.e === 'string' ? wire.e : undefined,
      occurredAt: typeof wire.o === 'string' ? wire.o : undefined,
      ...trace,
    };
  }
  if (wire.k !== 'req') throw new MalformedEnvelopeError(`unknown kind ${String(wire.k)}`);
  if (typeof wire.i !== 'string' || typeof wire.r !== 'string' || typeof wire.t !== 'number') {
    throw new MalformedEnvelopeError('request without id, reply channel or deadline');
  }
  return {
    kind: 'request',
    id: wire.i,
    pattern: wire.p,
    data,
    correlationId,
    replyTo: wire.r,
    deadline: wire.t,
    ...trace,
  };
}

/** One reply as an object, several (batched for one caller) as an array. */
export function encodeReplies(replies: Reply[]): string {
  return JSON.stringify(replies.length === 1 ? replies[0] : replies);
}

/** A reply message as published: `<sender>\n<signature>\n<replies JSON>`. */
export function encodeSignedReplies(
  replies: Reply[],
  sign: (message: string) => { sender: string; signature: string },
): string {
  const message = encodeReplies(replies);
  const { sender, signature } = sign(message);
  return `${sender}\n${signature}\n${message}`;
}

/** Splits a published reply message; undefined when it is not signed. */
export function splitSignedReplies(
  raw: string,
): { sender: string; signature: string; message: string } | undefined {
  const first = raw.indexOf('\n');
  const second = first < 0 ? -1 : raw.indexOf('\n', first + 1);
  if (second < 0) return undefined;
  return {
    sender: raw.slice(0, first),
    signature: raw.slice(first + 1, second),
    message: raw.slice(second + 1),
  };
}

/** The replies in one message; malformed ones are dropped (the caller's timeout covers them). */
export function decodeReplies(raw: string): Reply[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.filter(
    (reply): reply is Reply =>
      typeof reply === 'object' && reply !== null && typeof (reply as Reply).id === 'string',
  );
}
