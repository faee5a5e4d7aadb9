import { eventName, requestPattern } from '../bus/message';
import type { AdminUpdateMemberDto, SearchMembersDto } from './admin.dto';
import type { AwardAchievementDto, CreditCoinsDto, DebitCoinsDto, GetCoinsDto } from './coins.dto';
import type { RegisterMemberDto, VerifyCredentialsDto } from './credentials.dto';
import type { MemberCoinsChangedPayload, MemberUpdatedPayload } from './member-bus-events';
import type {
  GetByTelegramIdDto,
  GetProfileDto,
  RecordLoginDto,
  UpdateProfileDto,
  UpsertTelegramMemberDto,
} from './members.dto';
import type {
  AdminMemberResult,
  AwardAchievementResult,
  CoinChangeResult,
  CoinsPage,
  MemberProfileResult,
  PublicProfile,
  ReferralsResult,
  SearchMembersResult,
  UpsertTelegramResult,
} from './profiles';
import type {
  GetPublicByReferralCodeDto,
  GetPublicProfilesDto,
  ListReferralsDto,
} from './referrals.dto';

/**
 * Requests handled by the `users` service.
 *
 * WIRE NAMES: the string values travel over Redis and are the users service's stream routing.
 * Do not rename one without a migration plan (handle both names on the service, move every
 * caller, then drop the old name).
 */
export const USERS = {
  /** Email sign-up. EMAIL_TAKEN (409); REFERRAL_CODE_NOT_FOUND (404) for an unknown code. */
  REGISTER: requestPattern<RegisterMemberDto, MemberProfileResult>('users.register', {
    callers: ['gateway'],
  }),
  /** Email login. INVALID_CREDENTIALS (401), same message and similar time for unknown email and
   * wrong password; MEMBER_INACTIVE (403) for a deactivated member with the right password. A
   * success is recorded as a sign-in (last_login), so no `record_login` is needed after it. */
  VERIFY_CREDENTIALS: requestPattern<VerifyCredentialsDto, MemberProfileResult>(
    'users.verify_credentials',
    { callers: ['gateway'] },
  ),
  /** Bot `/start`, Login Widget, Mini App: create or refresh by telegram_id. Not a sign-in by
   * itself: before issuing tokens to a Telegram user, call `record_login` (it refuses deactivated
   * members with MEMBER_INACTIVE). */
  UPSERT_TELEGRAM: requestPattern<UpsertTelegramMemberDto, UpsertTelegramResult>(
    'users.upsert_telegram',
    { callers: ['gateway', 'bot'] },
  ),
  /** MEMBER_NOT_FOUND (404). */
  GET_PROFILE: requestPattern<GetProfileDto, MemberProfileResult>('users.get_profile', {
    callers: ['gateway', 'events'],
  }),
  /** MEMBER_NOT_FOUND (404). */
  GET_BY_TELEGRAM_ID: requestPattern<GetByTelegramIdDto, MemberProfileResult>(
    'users.get_by_telegram_id',
    { callers: ['bot'] },
  ),
  /** A sign-in (login code, Telegram): sets last_login, applies ADMIN_* promotion.
   * MEMBER_NOT_FOUND (404), MEMBER_INACTIVE (403). */
  RECORD_LOGIN: requestPattern<RecordLoginDto, MemberProfileResult>('users.record_login', {
    callers: ['gateway'],
  }),
  /** MEMBER_NOT_FOUND (404), MEMBER_INACTIVE (403), USERNAME_TAKEN (409). */
  UPDATE_PROFILE: requestPattern<UpdateProfileDto, MemberProfileResult>('users.update_profile', {
    callers: ['gateway'],
  }),
  /** REFERRAL_CODE_NOT_FOUND (404) for unknown or malformed codes. */
  GET_PUBLIC_BY_REFERRAL_CODE: requestPattern<GetPublicByReferralCodeDto, PublicProfile>(
    'users.get_public_by_referral_code',
    { callers: ['gateway'] },
  ),
  /** Batched; answers in the order of the ids asked for, unknown ids left out. */
  GET_PUBLIC_PROFILES: requestPattern<GetPublicProfilesDto, PublicProfile[]>(
    'users.get_public_profiles',
    { callers: ['events'] },
  ),
  /** Members this member invited, oldest first. MEMBER_NOT_FOUND (404). */
  LIST_REFERRALS: requestPattern<ListReferralsDto, ReferralsResult>('users.list_referrals', {
    callers: ['gateway'],
  }),
  /** MEMBER_NOT_FOUND (404). */
  GET_COINS: requestPattern<GetCoinsDto, CoinsPage>('users.get_coins', { callers: ['gateway'] }),
  /** INSUFFICIENT_COINS (402, details `{balance, required}`), MEMBER_NOT_FOUND (404),
   * MEMBER_INACTIVE (403), IDEMPOTENCY_KEY_REUSED (409). */
  DEBIT_COINS: requestPattern<DebitCoinsDto, CoinChangeResult>('users.debit_coins', {
    callers: ['events'],
  }),
  /** Refunds reach deactivated members too. MEMBER_NOT_FOUND (404), IDEMPOTENCY_KEY_REUSED (409). */
  CREDIT_COINS: requestPattern<CreditCoinsDto, CoinChangeResult>('users.credit_coins', {
    callers: ['events'],
  }),
  /** Idempotent. MEMBER_NOT_FOUND (404). */
  AWARD_ACHIEVEMENT: requestPattern<AwardAchievementDto, AwardAchievementResult>(
    'users.award_achievement',
    { callers: ['events'] },
  ),
  /** Administration: members by email, username, name or telegram id, with total. */
  SEARCH: requestPattern<SearchMembersDto, SearchMembersResult>('users.search', {
    callers: ['gateway'],
  }),
  /** Administration: role, activity, coin adjustment (ledger, reason). MEMBER_NOT_FOUND (404),
   * INSUFFICIENT_COINS (402), FORBIDDEN (403) when the actor is not an active admin or would
   * deactivate or demote themself. Deactivating does not revoke tokens: the caller also sends
   * `auth-codes.revoke_member_tokens`. */
  ADMIN_UPDATE: requestPattern<AdminUpdateMemberDto, AdminMemberResult>('users.admin_update', {
    callers: ['gateway'],
  }),
} as const;

/**
 * Events published by the `users` service, through its outbox (each subscribing service sees each
 * one once, at least once: consumers deduplicate by event id).
 *
 * WIRE NAMES: subscribers' streams and consumer groups are keyed by these names; rename only with
 * a migration plan (publish both, move every subscriber, then drop the old one).
 */
export const MEMBER_EVENTS = {
  /** A member was created, or their profile, role, active flag or language changed. */
  UPDATED: eventName<MemberUpdatedPayload>('member.updated', { publishers: ['users'] }),
  /** A ledger entry changed a member's balance. */
  COINS_CHANGED: eventName<MemberCoinsChangedPayload>('member.coins_changed', {
    publishers: ['users'],
  }),
} as const;

/**
 * Redis key (after `${REDIS_KEY_PREFIX}:`) holding a member's current profile version, written by
 * the users service after each commit (only ever increased). The gateway reads it to answer
 * `If-None-Match` on `/api/users/me` without asking PostgreSQL. WIRE NAME (shared Redis layout).
 */
export function profileVersionKey(prefix: string, memberId: string): string {
  return `${prefix}:users:profile-version:${memberId}`;
}
