import type { PageWindow } from '../pagination/page-window';
import type { AchievementCode } from './achievements';
import type { CoinTransactionKind } from './coin-transaction-kinds';
import type { MemberRole } from './member-roles';

/**
 * A member's private profile, exactly the shape of API.md (`GET /api/users/me`). Only the member
 * themself (and administrators) see it. Dates are ISO 8601 UTC strings.
 */
export interface PrivateProfile {
  id: string;
  /** Telegram user id; Telegram guarantees at most 52 significant bits, so a JS number is exact. */
  telegram_id: number | null;
  username: string | null;
  full_name: string;
  first_name: string | null;
  email: string | null;
  photo_url: string | null;
  role: MemberRole;
  up_coins: number;
  referral_code: string;
  /** Id of the member whose referral code brought this member, if any. */
  referred_by: string | null;
  achievements_count: number;
  created_at: string;
  last_login: string | null;
}

/**
 * The public, shareable view (`GET /api/users/u/{referral_code}`, participants, referrals). Built
 * from this allow-list only: nothing private (telegram_id, email, up_coins, ...) is ever in it.
 */
export interface PublicProfile {
  id: string;
  full_name: string;
  role: MemberRole;
  created_at: string;
  achievements_count: number;
  referral_code: string;
  photo_url: string | null;
}

/** The keys of PublicProfile, in order: the allow-list the users service builds the view from. */
export const PUBLIC_PROFILE_FIELDS = [
  'id',
  'full_name',
  'role',
  'created_at',
  'achievements_count',
  'referral_code',
  'photo_url',
] as const satisfies readonly (keyof PublicProfile)[];

/** What administrators see of a member: the private profile and whether the member is active. */
export interface AdminMemberView extends PrivateProfile {
  is_active: boolean;
}

/**
 * Every handler that answers with a profile answers with its version: an integer that grows on
 * every change to anything in the private profile (balance, achievements, last_login, names...).
 * The gateway derives `/api/users/me`'s ETag from (member id, version).
 */
export interface MemberProfileResult {
  profile: PrivateProfile;
  version: number;
}

export interface UpsertTelegramResult extends MemberProfileResult {
  /** True when this call created the member. */
  created: boolean;
  /**
   * True when this call attributed the member to the referral code it carried. False when no code
   * was given, the member already existed (attribution happens once, at creation), the code names
   * nobody, or it is the member's own.
   */
  referral_applied: boolean;
}

export interface AdminMemberResult {
  profile: AdminMemberView;
  version: number;
}

export interface ReferralsResult {
  count: number;
  referrals: PublicProfile[];
}

/** One row of the coin ledger as clients see it. */
export interface CoinTransaction {
  id: string;
  /** Signed: negative for a debit. */
  amount: number;
  balance_after: number;
  kind: CoinTransactionKind;
  reason: string;
  created_at: string;
}

export interface CoinsPage extends PageWindow {
  balance: number;
  /** Newest first. */
  transactions: CoinTransaction[];
}

/**
 * The answer to a debit or credit. A repeat with the same idempotency key answers as the first
 * call did (same `transaction_id` and `balance`) with `applied: false`.
 */
export interface CoinChangeResult {
  /** The balance right after this transaction. */
  balance: number;
  transaction_id: string;
  /** False when the idempotency key had already been applied and nothing changed now. */
  applied: boolean;
}

export interface AwardAchievementResult {
  /** False when the member already had it (awarding is idempotent). */
  awarded: boolean;
  code: AchievementCode;
}

export interface SearchMembersResult extends PageWindow {
  users: AdminMemberView[];
}
