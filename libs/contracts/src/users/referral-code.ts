/** Referral codes: `UP-` and six characters of A-Z0-9 (docs/api.md, Members). */
export const REFERRAL_CODE_PREFIX = 'UP-';
export const REFERRAL_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const REFERRAL_CODE_BODY_LENGTH = 6;
export const REFERRAL_CODE_REGEX = /^UP-[A-Z0-9]{6}$/;

/** True for a well-formed referral code (the bot checks `/start <payload>` with this). */
export function isReferralCode(value: unknown): value is string {
  return typeof value === 'string' && REFERRAL_CODE_REGEX.test(value);
}

/**
 * A referral code as people type it (`' up-7k2q9z '`) in its stored form (`UP-7K2Q9Z`). Check the
 * result with isReferralCode: normalising does not make a code well-formed.
 */
export function normalizeReferralCode(code: string): string;
export function normalizeReferralCode(code: string | undefined): string | undefined;
export function normalizeReferralCode(code: string | undefined): string | undefined {
  return code?.trim().toUpperCase();
}
