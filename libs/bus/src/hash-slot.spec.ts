import { groupBySlot, hashSlot } from './hash-slot';

describe('hashSlot', () => {
  it('gives the slots Redis Cluster gives (CLUSTER KEYSLOT)', () => {
    // Values from the cluster specification and `redis-cli CLUSTER KEYSLOT`.
    expect(hashSlot('123456789')).toBe(12739);
    expect(hashSlot('foo')).toBe(12182);
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('user1000'));
  });

  it('hashes only a non-empty hash tag', () => {
    expect(hashSlot('up:{bus:users}:req')).toBe(hashSlot('bus:users'));
    expect(hashSlot('up:{}:x')).toBe(hashSlot('up:{}:x'));
    expect(hashSlot('up:{}:x')).not.toBe(hashSlot(''));
  });
});

describe('groupBySlot', () => {
  it('puts keys of one hash tag together, in first-seen order', () => {
    const keys = ['a:{x}:1', 'b:{y}', 'c:{x}:2'];
    expect(groupBySlot(keys)).toEqual([['a:{x}:1', 'c:{x}:2'], ['b:{y}']]);
  });
});
