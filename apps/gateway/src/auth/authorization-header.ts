/** `Authorization: <scheme> <credentials>` split into its parts; the scheme compares case-insensitively. */
export interface AuthorizationHeader {
  scheme: string;
  credentials: string;
}

export function parseAuthorizationHeader(
  value: string | string[] | undefined,
): AuthorizationHeader | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9._~+-]*)\s+(\S(?:.*\S)?)\s*$/.exec(value);
  if (!match) return undefined;
  return { scheme: match[1].toLowerCase(), credentials: match[2] };
}
