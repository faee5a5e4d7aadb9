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
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i], fields[i + 1]);
  const pattern = map.get(PATTERN);
  const raw = map.get(DATA);
  if (!pattern) throw new MalformedEnvelopeError('no pattern');
  let data: unknown;
  try {
    data = raw === undefined ? null : JSON.parse(raw);
  } catch {
    throw new MalformedEnvelopeError('payload is not JSON');
  }
  const correlationId = map.get(CORRELATION);
  const kind = map.get(KIND);
  if (kind === 'evt') return { kind: 'event', pattern, data, correlationId };
  if (kind !== 'req') throw new MalformedEnvelopeError(`unknown kind ${String(kind)}`);
  const id = map.get(ID);
  const replyTo = map.get(REPLY_TO);
  const deadline = Number(map.get(DEADLINE));
  if (!id || !replyTo || !Number.isFinite(deadline)) {
    throw new MalformedEnvelopeError('request without id, reply channel or deadline');
  }
  return { kind: 'request', id, pattern, data, correlationId, replyTo, deadline };
}

export function encodeReply(reply: Reply): string {
  return JSON.stringify(reply);
}

export function decodeReply(raw: string): Reply | undefined {
  try {
    const parsed = JSON.parse(raw) as Reply;
    return typeof parsed?.id === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
