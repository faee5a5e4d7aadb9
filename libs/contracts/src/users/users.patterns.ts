import { eventName, requestPattern } from '../bus/message';
import type {
  ChangeEmailDto,
  ChangePasswordDto,
  ForgotPasswordDto,
  MailRequestAccepted,
  PasswordChanged,
  ResendVerificationDto,
  ResetPasswordDto,
  VerifyEmailDto,
} from './account.dto';
import type {
  DeleteMemberDto,
  LinkTelegramDto,
  LinkTelegramResult,
  MemberDeletedResult,
} from './account-lifecycle.dto';
import type { AdminUpdateMemberDto, SearchMembersDto } from './admin.dto';
import type {
  AwardAchievementDto,
  CreditCoinsDto,
  DebitCoinsDto,
  DebitCoinsManyDto,
  GetCoinsDto,
} from './coins.dto';
import type { RegisterMemberDto, VerifyCredentialsDto } from './credentials.dto';
import type {
  MemberCoinsChangedPayload,
  MemberDeletedPayload,
  MemberMergedPayload,
  MemberUpdatedPayload,
} from './member-bus-events';
import type {
  GetByTelegramIdDto,
  GetProfileDto,
  GetStandingDto,
  RecordLoginDto,
  UpdateProfileDto,
  UpsertTelegramMemberDto,
} from './members.dto';
import type {
  AnnouncementTargetsPage,
  GetNotificationSettingsDto,
  GetNotificationTargetsDto,
  ListAnnouncementTargetsDto,
  NotificationSettings,
  NotificationTargetsResult,
  SetTelegramReachableDto,
  SetTelegramReachableResult,
  UpdateNotificationSettingsDto,
} from './notifications.dto';
import type {
  DebitCoinsManyResult,
  AdminMemberResult,
  AwardAchievementResult,
  CoinChangeResult,
  CoinsPage,
  MemberProfileResult,
  MemberStanding,
  PublicProfile,
  ReferralsResult,
  SearchMembersResult,
  SignInResult,
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
  /** MEMBER_NOT_FOUND (404). The bot reads the balance it tells members after a join or leave. */
  GET_PROFILE: requestPattern<GetProfileDto, MemberProfileResult>('users.get_profile', {
    callers: ['gateway', 'events', 'bot'],
  }),
  /** MEMBER_NOT_FOUND (404). */
  GET_BY_TELEGRAM_ID: requestPattern<GetByTelegramIdDto, MemberProfileResult>(
    'users.get_by_telegram_id',
    { callers: ['bot'] },
  ),
  /** A sign-in (login code, Telegram): sets last_login, applies ADMIN_* promotion; answers the
   * session epoch the new refresh-token family must record. MEMBER_NOT_FOUND (404),
   * MEMBER_INACTIVE (403). */
  RECORD_LOGIN: requestPattern<RecordLoginDto, SignInResult>('users.record_login', {
    callers: ['gateway'],
  }),
  /** Role, activity and session epoch as committed now (refresh, and the gateway's checks of
   * who may use a power). Deactivated members answer too (`is_active: false`). MEMBER_NOT_FOUND (404). */
  GET_STANDING: requestPattern<GetStandingDto, MemberStanding>('users.get_standing', {
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
  /** Several debits in one transaction, each applied or refused as by `users.debit_coins`. */
  DEBIT_COINS_MANY: requestPattern<DebitCoinsManyDto, DebitCoinsManyResult>(
    'users.debit_coins_many',
    { callers: ['events'] },
  ),
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
   * deactivate or demote themself. Deactivating raises the member's session epoch in the same
   * transaction, so no refresh succeeds any more; the caller also sends
   * `auth-codes.revoke_member_tokens` so the sessions list shows them ended. */
  ADMIN_UPDATE: requestPattern<AdminUpdateMemberDto, AdminMemberResult>('users.admin_update', {
    callers: ['gateway'],
  }),
  /** Who to notify, for up to 1000 member ids; unknown ids are absent (deactivated ones are not). */
  GET_NOTIFICATION_TARGETS: requestPattern<GetNotificationTargetsDto, NotificationTargetsResult>(
    'users.get_notification_targets',
    { callers: ['bot'] },
  ),
  /** Announcement recipients by id, keyset-paged: active, with a Telegram chat, opted in, reachable. */
  LIST_ANNOUNCEMENT_TARGETS: requestPattern<ListAnnouncementTargetsDto, AnnouncementTargetsPage>(
    'users.list_announcement_targets',
    { callers: ['bot'] },
  ),
  /** Telegram refused (403) or accepted messages to this account again. Idempotent. */
  SET_TELEGRAM_REACHABLE: requestPattern<SetTelegramReachableDto, SetTelegramReachableResult>(
    'users.set_telegram_reachable',
    { callers: ['bot'] },
  ),
  /** MEMBER_NOT_FOUND (404). */
  GET_NOTIFICATION_SETTINGS: requestPattern<GetNotificationSettingsDto, NotificationSettings>(
    'users.get_notification_settings',
    { callers: ['gateway', 'bot'] },
  ),
  /** Publishes `member.updated` when something changed. MEMBER_NOT_FOUND (404). */
  UPDATE_NOTIFICATION_SETTINGS: requestPattern<UpdateNotificationSettingsDto, NotificationSettings>(
    'users.update_notification_settings',
    { callers: ['gateway', 'bot'] },
  ),
  /** Consumes an email verification token (24 h, once): the address it was sent to becomes the
   * member's verified email. INVALID_TOKEN (400); EMAIL_TAKEN (409) when a change of email meets
   * an address another member holds by then. */
  VERIFY_EMAIL: requestPattern<VerifyEmailDto, MemberProfileResult>('users.verify_email', {
    callers: ['gateway'],
  }),
  /** A new verification mail to the member's unverified email (nothing when verified or none).
   * MEMBER_NOT_FOUND (404). Rate limited by the gateway. */
  RESEND_VERIFICATION: requestPattern<ResendVerificationDto, MailRequestAccepted>(
    'users.resend_verification',
    { callers: ['gateway'] },
  ),
  /** A reset mail when the email belongs to an active member; the same answer otherwise. */
  REQUEST_PASSWORD_RESET: requestPattern<ForgotPasswordDto, MailRequestAccepted>(
    'users.request_password_reset',
    { callers: ['gateway'] },
  ),
  /** Consumes a reset token (1 h, once) and sets the password. INVALID_TOKEN (400). The caller
   * ends the member's sessions (`auth-codes.revoke_member_tokens`). */
  RESET_PASSWORD: requestPattern<ResetPasswordDto, PasswordChanged>('users.reset_password', {
    callers: ['gateway'],
  }),
  /** Changes (or, for a member without one, sets) the password. VALIDATION_FAILED (400) on
   * `current_password` when it is missing or wrong; MEMBER_INACTIVE (403). */
  CHANGE_PASSWORD: requestPattern<ChangePasswordDto, PasswordChanged>('users.change_password', {
    callers: ['gateway'],
  }),
  /** A verification mail to the new address; the member's email changes when it is verified.
   * MEMBER_INACTIVE (403). */
  REQUEST_EMAIL_CHANGE: requestPattern<ChangeEmailDto, MailRequestAccepted>(
    'users.request_email_change',
    { callers: ['gateway'] },
  ),
  /** Attaches a proven Telegram account to the signed-in member; when that account has a member
   * of its own, the two merge into the caller's (a saga finished by a sweep if interrupted).
   * TELEGRAM_ALREADY_LINKED (409) when the caller holds another Telegram account;
   * MEMBER_INACTIVE (403). */
  LINK_TELEGRAM: requestPattern<LinkTelegramDto, LinkTelegramResult>('users.link_telegram', {
    callers: ['gateway'],
  }),
  /** Erases the member's personal data and publishes `member.deleted`. MEMBER_NOT_FOUND (404)
   * for a deleted member; VALIDATION_FAILED (400) on `password`; RECENT_SIGN_IN_REQUIRED (403)
   * for a member without a password who has not signed in within 5 minutes. The caller ends the
   * member's sessions. */
  DELETE_MEMBER: requestPattern<DeleteMemberDto, MemberDeletedResult>('users.delete_member', {
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
  /** A member was created, or their profile, role, active flag, language or notification
   * settings changed. */
  UPDATED: eventName<MemberUpdatedPayload>('member.updated', { publishers: ['users'] }),
  /** A ledger entry changed a member's balance. */
  COINS_CHANGED: eventName<MemberCoinsChangedPayload>('member.coins_changed', {
    publishers: ['users'],
  }),
  /** A member erased their account: drop what you hold about them. */
  DELETED: eventName<MemberDeletedPayload>('member.deleted', { publishers: ['users'] }),
  /** Two members of one person became one (`from` now points to `into`). */
  MERGED: eventName<MemberMergedPayload>('member.merged', { publishers: ['users'] }),
} as const;

/**
 * Redis key (after `${REDIS_KEY_PREFIX}:`) holding a member's current profile version, written by
 * the users service after each commit (only ever increased). The gateway reads it to answer
 * `If-None-Match` on `/api/users/me` without asking PostgreSQL. WIRE NAME (shared Redis layout).
 */
export function profileVersionKey(prefix: string, memberId: string): string {
  return `${prefix}:users:profile-version:${memberId}`;
}
