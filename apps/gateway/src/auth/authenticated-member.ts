import type { MemberRole } from '@up/contracts';

/** Who is calling, as proven by a verified access token (`@CurrentMember()`). */
export interface AuthenticatedMember {
  /** Member id (the token's `sub`). */
  id: string;
  role: MemberRole;
  /**
   * The session (refresh-token family) the access token was issued in: its `sid` claim. Absent
   * for tokens issued outside a sign-in (and for those issued before sessions existed).
   */
  sessionId?: string;
}

/** The request as the auth guard leaves it: `member` is set once the caller is known. */
export interface RequestWithMember {
  headers: Record<string, string | string[] | undefined>;
  member?: AuthenticatedMember;
  /** Set by the guard once it has looked at the request, so stacked decorators verify once. */
  authChecked?: boolean;
  /** Set once StandingGuard replaced the token's role with the current one. */
  standingChecked?: boolean;
}
