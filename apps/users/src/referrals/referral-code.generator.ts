import { randomInt } from 'node:crypto';
import {
  REFERRAL_CODE_ALPHABET,
  REFERRAL_CODE_BODY_LENGTH,
  REFERRAL_CODE_PREFIX,
} from '@up/contracts';

/** Draws an integer in [0, max) uniformly; crypto.randomInt by default (CSPRNG, no modulo bias). */
export type RandomIndex = (max: number) => number;

/**
 * `UP-` and six characters of A-Z0-9 (36^6 ≈ 2.2 billion codes), each drawn from a
 * cryptographically secure generator so codes cannot be predicted from earlier ones. Uniqueness
 * is the database's job (unique index; the creating transaction retries on a collision).
 */
export function generateReferralCode(random: RandomIndex = randomInt): string {
  let body = '';
  for (let i = 0; i < REFERRAL_CODE_BODY_LENGTH; i++) {
    body += REFERRAL_CODE_ALPHABET[random(REFERRAL_CODE_ALPHABET.length)];
  }
  return REFERRAL_CODE_PREFIX + body;
}
