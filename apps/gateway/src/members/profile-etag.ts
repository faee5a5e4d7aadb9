import { createHash } from 'node:crypto';

/**
 * Bumped when the body of `/api/users/me` changes shape for the same data (a deploy that adds a
 * field), so clients holding tags of the old representation get the new one.
 */
const REPRESENTATION = 'profile-v1';

/**
 * The strong ETag of a member's private profile at a version: a digest of (representation,
 * member id, version). The users service raises the version on every change to anything in the
 * profile, so the tag changes exactly when the body can have changed, and the gateway can compute
 * it from the version alone, without the profile.
 */
export function profileETag(memberId: string, version: number): string {
  const digest = createHash('sha256')
    .update(`${REPRESENTATION}:${memberId}:${version}`)
    .digest('base64url')
    .slice(0, 27);
  return `"${digest}"`;
}

/**
 * Whether an `If-None-Match` header matches the current tag (RFC 9110 §13.1.2: weak comparison,
 * so `W/"x"` matches `"x"`; a list matches when any member does; `*` matches any current
 * representation). Malformed members are ignored rather than failing the request.
 */
export function ifNoneMatchMatches(header: string | undefined, currentETag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  const current = opaqueTag(currentETag);
  if (current === undefined) return false;
  for (const match of value.matchAll(/(?:W\/)?"([^"]*)"/g)) {
    if (match[1] === current) return true;
  }
  return false;
}

function opaqueTag(etag: string): string | undefined {
  return /^(?:W\/)?"([^"]*)"$/.exec(etag)?.[1];
}
