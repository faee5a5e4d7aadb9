import { BusKeys } from './bus-keys';

describe(BusKeys.name, () => {
  const sut = new BusKeys('up');

  it('names streams with a hash tag per service and per event', () => {
    expect(sut.requestStream('users')).toBe('up:{bus:users}:req');
    expect(sut.eventStream('member.updated')).toBe('up:{bus:evt:member.updated}');
    expect(sut.deadLetterStream(sut.requestStream('users'))).toBe('up:{bus:users}:req:dlq');
  });

  it('gives each stream a short name for labels, without prefix and tag', () => {
    expect(sut.shortName(sut.requestStream('auth-codes'))).toBe('req:auth-codes');
    expect(sut.shortName(sut.eventStream('event.participant_joined'))).toBe(
      'evt:event.participant_joined',
    );
    expect(sut.shortName(sut.deadLetterStream(sut.requestStream('users')))).toBe('dlq:req:users');
    expect(sut.shortName(sut.deadLetterStream(sut.eventStream('member.updated')))).toBe(
      'dlq:evt:member.updated',
    );
    expect(sut.shortName('other:stream')).toBe('other:stream');
  });
});
