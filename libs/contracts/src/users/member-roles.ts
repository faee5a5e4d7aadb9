/** Member roles. WIRE VALUES: stored in the users database and carried in JWT role claims. */
export const MemberRole = {
  MEMBER: 'member',
  ORGANIZER: 'organizer',
  ADMIN: 'admin',
} as const;

export type MemberRole = (typeof MemberRole)[keyof typeof MemberRole];

export const MEMBER_ROLES: readonly MemberRole[] = Object.values(MemberRole);

export function isMemberRole(value: unknown): value is MemberRole {
  return typeof value === 'string' && (MEMBER_ROLES as readonly string[]).includes(value);
}
