/** Referral codes: `UP-` and six characters of A-Z0-9 (API.md, Members). */
export const REFERRAL_CODE_PREFIX = 'UP-';
export const REFERRAL_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const REFERRAL_CODE_BODY_LENGTH = 6;
export const REFERRAL_CODE_REGEX = /^UP-[A-Z0-9]{6}$/;

/** True for a well-formed referral code (the bot checks `/start <payload>` with this). */
export function isReferralCode(value: unknown): value is string {
  return typeof value === 'string' && REFERRAL_CODE_REGEX.test(value);
}
