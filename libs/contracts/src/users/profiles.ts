import type { BusErrorPayload } from '../errors/error-codes';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PageWindow } from '../pagination/page-window';
import type { AchievementCode } from './achievements';
import { COIN_TRANSACTION_KINDS, type CoinTransactionKind } from './coin-transaction-kinds';
import { MEMBER_ROLES, type MemberRole } from './member-roles';

// The shapes below cross the gateway unchanged, so they carry their OpenAPI description here.
// `@ApiSchema` keeps the schema names the OpenAPI document has always published.

/**
 * A member's private profile, exactly the shape of docs/api.md (`GET /api/users/me`). Only the member
 * themself (and administrators) see it. Dates are ISO 8601 UTC strings.
 */
@ApiSchema({ name: 'PrivateProfileResponse' })
export class PrivateProfile {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** Telegram user id; Telegram guarantees at most 52 significant bits, so a JS number is exact. */
  @ApiProperty({ type: Number, nullable: true, example: 279058397 })
  telegram_id!: number | null;

  @ApiProperty({ type: String, nullable: true })
  username!: string | null;

  @ApiProperty()
  full_name!: string;

  @ApiProperty({ type: String, nullable: true })
  first_name!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'email' })
  email!: string | null;

  /** Whether the member proved they receive mail at `email` (false when there is none). */
  @ApiProperty({ description: 'The member proved they receive mail at `email`' })
  email_verified!: boolean;

  @ApiProperty({ type: String, nullable: true })
  photo_url!: string | null;

  @ApiProperty({ enum: MEMBER_ROLES })
  role!: MemberRole;

  @ApiProperty({ description: 'UP coins balance' })
  up_coins!: number;

  @ApiProperty({ example: 'UP-7K2Q9Z' })
  referral_code!: string;

  /** Id of the member whose referral code brought this member, if any. */
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  referred_by!: string | null;

  @ApiProperty()
  achievements_count!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  last_login!: string | null;
}

/**
 * The public, shareable view (`GET /api/users/u/{referral_code}`, participants, referrals). Built
 * from this allow-list only: nothing private (telegram_id, email, up_coins, ...) is ever in it.
 */
@ApiSchema({ name: 'PublicProfileResponse' })
export class PublicProfile {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  full_name!: string;

  @ApiProperty({ enum: MEMBER_ROLES })
  role!: MemberRole;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty()
  achievements_count!: number;

  @ApiProperty({ example: 'UP-7K2Q9Z' })
  referral_code!: string;

  @ApiProperty({ type: String, nullable: true })
  photo_url!: string | null;
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
@ApiSchema({ name: 'AdminMemberResponse' })
export class AdminMemberView extends PrivateProfile {
  @ApiProperty({ description: 'False once an admin deactivated the member' })
  is_active!: boolean;
}

@ApiSchema({ name: 'SearchMembersResponse' })
export class SearchMembersResult extends PageWindow {
  @ApiProperty({ type: [AdminMemberView] })
  users!: AdminMemberView[];
}

@ApiSchema({ name: 'ReferralsResponse' })
export class ReferralsResult {
  @ApiProperty()
  count!: number;

  @ApiProperty({ type: [PublicProfile] })
  referrals!: PublicProfile[];
}

/** One row of the coin ledger as clients see it. */
@ApiSchema({ name: 'CoinTransactionResponse' })
export class CoinTransaction {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** Signed: negative for a debit. */
  @ApiProperty({ description: 'Negative for a debit' })
  amount!: number;

  @ApiProperty()
  balance_after!: number;

  @ApiProperty({ enum: COIN_TRANSACTION_KINDS })
  kind!: CoinTransactionKind;

  @ApiProperty()
  reason!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

@ApiSchema({ name: 'CoinsResponse' })
export class CoinsPage extends PageWindow {
  @ApiProperty()
  balance!: number;

  @ApiProperty({ type: [CoinTransaction], description: 'Newest first' })
  transactions!: CoinTransaction[];
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

/**
 * `users.record_login`: the profile and the member's session epoch, which the sign-in's new
 * refresh-token family records (`auth-codes.issue_refresh_token`).
 */
export interface SignInResult extends MemberProfileResult {
  session_epoch: number;
}

/**
 * `users.get_standing`: what grants a member power, as committed now. `session_epoch` grows with
 * every deactivation: a session started under an older epoch is over. `version` is the profile
 * version (it grows with every change of role or activity), for caches keyed by it.
 */
export interface MemberStanding {
  member_id: string;
  role: MemberRole;
  is_active: boolean;
  session_epoch: number;
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

/** One debit of `users.debit_coins_many`: its result, or the refusal `users.debit_coins` would answer. */
export type CoinChangeOutcome = { result: CoinChangeResult } | { error: BusErrorPayload };

/** `users.debit_coins_many`: one outcome per debit, in the order asked. */
export interface DebitCoinsManyResult {
  outcomes: CoinChangeOutcome[];
}

export interface AwardAchievementResult {
  /** False when the member already had it (awarding is idempotent). */
  awarded: boolean;
  code: AchievementCode;
}
