import {
  decodeEnvelope,
  decodeReplies,
  encodeEnvelope,
  encodeReplies,
  MalformedEnvelopeError,
} from './envelope.codec';

describe('envelope codec', () => {
  it('round-trips a request with its reply channel, deadline and correlation id', () => {
    const request = {
      kind: 'request' as const,
      id: 'r-1',
      pattern: 'users.get_profile',
      data: { member_id: 'm-1' },
      correlationId: 'c-1',
      replyTo: 'up:bus:reply:gw-1',
      deadline: 1_700_000_000_000,
    };
    expect(decodeEnvelope(encodeEnvelope(request))).toEqual(request);
  });

  it('carries the W3C trace context of a request and of an event as optional fields', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const request = {
      kind: 'request' as const,
      id: 'r-1',
      pattern: 'users.get_profile',
      data: null,
      replyTo: 'up:bus:reply:gw-1',
      deadline: 1,
      traceparent,
      tracestate: 'vendor=1',
    };
    const event = { kind: 'event' as const, pattern: 'a.b', data: 1, eventId: 'e-1', traceparent };
    expect(decodeEnvelope(encodeEnvelope(request))).toEqual(request);
    expect(decodeEnvelope(encodeEnvelope(event))).toEqual(event);
    expect(JSON.parse(encodeEnvelope(event)[1])).toMatchObject({ tp: traceparent });
    // Written by a replica that does not trace (or an older one): no trace fields, still read.
    expect(encodeEnvelope({ kind: 'event', pattern: 'a.b', data: 1 })[1]).not.toContain('"tp"');
    expect(decodeEnvelope(['m', '{"k":"evt","p":"a.b","d":1,"tp":7}'])).toMatchObject({
      traceparent: undefined,
    });
  });

  it('round-trips an event and sends an absent payload as null', () => {
    expect(
      decodeEnvelope(encodeEnvelope({ kind: 'event', pattern: 'event.created', data: undefined })),
    ).toEqual({
      kind: 'event',
      pattern: 'event.created',
      data: null,
      correlationId: undefined,
    });
  });

  it('ignores fields it does not know (written by a newer replica)', () => {
    const fields = [
      ...encodeEnvelope({ kind: 'event', pattern: 'a.b', data: 1 }),
      'x-new',
      'value',
    ];
    expect(decodeEnvelope(fields)).toMatchObject({ pattern: 'a.b', data: 1 });
  });

  it.each([
    [['k', 'evt', 'd', '{}']],
    [['k', 'evt', 'p', 'a.b', 'd', '{not json']],
    [['k', 'req', 'p', 'a.b', 'd', '{}']],
    [['k', 'zzz', 'p', 'a.b', 'd', '{}']],
  ])('rejects a malformed entry %j', (fields) => {
    expect(() => decodeEnvelope(fields)).toThrow(MalformedEnvelopeError);
  });

  it('batches replies for one caller into one message and reads both forms', () => {
    const one = { id: '1', response: { ok: true } };
    const two = { id: '2', err: { status: 404, code: 'NOT_FOUND', message: 'gone' } };
    expect(decodeReplies(encodeReplies([one]))).toEqual([one]);
    expect(decodeReplies(encodeReplies([one, two]))).toEqual([one, two]);
    expect(decodeReplies('not json')).toEqual([]);
  });
});
