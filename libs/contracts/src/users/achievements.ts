/**
 * Achievement codes. WIRE VALUES: stored in the users database and sent by other services in
 * `users.award_achievement`; add new ones, do not rename.
 */
export const AchievementCode = {
  /** Awarded by the users service to a referrer when their first referee is created. */
  FIRST_REFERRAL: 'first_referral',
  /** Awarded by the events service when a member joins their first event. */
  FIRST_EVENT: 'first_event',
} as const;

export type AchievementCode = (typeof AchievementCode)[keyof typeof AchievementCode];

export const ACHIEVEMENT_CODES: readonly AchievementCode[] = Object.values(AchievementCode);
