import { BusErrorPayload } from '@up/contracts';

/**
 * The wire format of the bus.
 *
 * A stream entry is a flat list of field/value strings. The fields are short because every
 * message carries them, and readable so `XRANGE` in redis-cli tells an operator what is queued.
 * WIRE FORMAT: replicas of different versions read each other's entries during a rollout; add
 * optional fields, never rename or remove one.
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
}

export interface EventEnvelope {
  kind: 'event';
  pattern: string;
  data: unknown;
  correlationId?: string;
}

export type Envelope = RequestEnvelope | EventEnvelope;

export interface Reply {
  id: string;
  response?: unknown;
  err?: BusErrorPayload;
}

const KIND = 'k';
const PATTERN = 'p';
const DATA = 'd';
const CORRELATION = 'c';
const ID = 'i';
const REPLY_TO = 'r';
const DEADLINE = 't';

export function encodeEnvelope(envelope: Envelope): string[] {
  const fields = [
    KIND,
    envelope.kind === 'request' ? 'req' : 'evt',
    PATTERN,
    envelope.pattern,
    // `undefined` is not JSON; an absent payload travels as null.
    DATA,
    JSON.stringify(envelope.data ?? null),
  ];
  if (envelope.correlationId) fields.push(CORRELATION, envelope.correlationId);
  if (envelope.kind === 'request') {
    fields.push(ID, envelope.id, REPLY_TO, envelope.replyTo, DEADLINE, String(envelope.deadline));
  }
  return fields;
}

export class MalformedEnvelopeError extends Error {
  constructor(reason: string) {
    super(`Malformed bus message: ${reason}`);
    this.name = 'MalformedEnvelopeError';
  }
}

/** Reads a stream entry's fields; throws MalformedEnvelopeError for anything the bus did not write. */
export function decodeEnvelope(fields: string[]): Envelope {
  let kind: string | undefined;
  let pattern: string | undefined;
  let raw: string | undefined;
  let correlationId: string | undefined;
  let id: string | undefined;
  let replyTo: string | undefined;
  let deadline = Number.NaN;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    switch (fields[i]) {
      case KIND:
        kind = value;
        break;
      case PATTERN:
        pattern = value;
        break;
      case DATA:
        raw = value;
        break;
      case CORRELATION:
        correlationId = value;
        break;
      case ID:
        id = value;
        break;
      case REPLY_TO:
        replyTo = value;
        break;
      case DEADLINE:
        deadline = Number(value);
        break;
      // Unknown fields come from newer replicas: ignored (see WIRE FORMAT).
    }
  }
  if (!pattern) throw new MalformedEnvelopeError('no pattern');
  let data: unknown;
  try {
    data = raw === undefined ? null : JSON.parse(raw);
  } catch {
    throw new MalformedEnvelopeError('payload is not JSON');
  }
  if (kind === 'evt') return { kind: 'event', pattern, data, correlationId };
  if (kind !== 'req') throw new MalformedEnvelopeError(`unknown kind ${String(kind)}`);
  if (!id || !replyTo || !Number.isFinite(deadline)) {
    throw new MalformedEnvelopeError('request without id, reply channel or deadline');
  }
  return { kind: 'request', id, pattern, data, correlationId, replyTo, deadline };
}

/** One reply as an object, several (batched for one caller) as an array. */
export function encodeReplies(replies: Reply[]): string {
  return JSON.stringify(replies.length === 1 ? replies[0] : replies);
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
