import { randomUUID } from 'node:crypto';
import { ifNoneMatchMatches, profileETag } from './profile-etag';

describe('profile ETag', () => {
  const memberId = randomUUID();

  it('is a strong, quoted tag that depends on member and version only', () => {
    const tag = profileETag(memberId, 7);
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(profileETag(memberId, 7)).toBe(tag);
    expect(profileETag(memberId, 8)).not.toBe(tag);
    expect(profileETag(randomUUID(), 7)).not.toBe(tag);
  });

  it('does not reveal the version or the member id', () => {
    const tag = profileETag(memberId, 12345);
    expect(tag).not.toContain('12345');
    expect(tag).not.toContain(memberId);
  });
});

describe(ifNoneMatchMatches.name, () => {
  const tag = '"abc123"';

  it.each([
    ['the exact tag', '"abc123"'],
    ['its weak form', 'W/"abc123"'],
    ['a list containing it', '"zzz", "abc123"'],
    ['a list containing its weak form, without spaces', 'W/"x",W/"abc123"'],
    ['the wildcard', '*'],
    ['the wildcard with spaces', '  *  '],
  ])('matches %s', (_case, header) => {
    expect(ifNoneMatchMatches(header, tag)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another tag', '"abc124"'],
    ['an unquoted tag', 'abc123'],
    ['a prefix of the tag', '"abc"'],
    ['a tag containing it', '"xabc123"'],
    ['a list without it', '"a", W/"b"'],
  ])('does not match %s', (_case, header) => {
    expect(ifNoneMatchMatches(header, tag)).toBe(false);
  });
});
