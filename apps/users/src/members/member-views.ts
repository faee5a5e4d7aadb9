import {
  AdminMemberView,
  MemberField,
  MemberUpdatedPayload,
  NotificationLanguage,
  NotificationSettings,
  NotificationTarget,
  PrivateProfile,
  PublicProfile,
} from '@up/contracts';
import { MemberEntity } from './member.entity';

/** What the private profile shows of a member: a MemberEntity, or a row read for the profile alone. */
export type MemberProfileFields = Pick<
  MemberEntity,
  | 'id'
  | 'telegramId'
  | 'username'
  | 'fullName'
  | 'firstName'
  | 'email'
  | 'emailVerifiedAt'
  | 'photoUrl'
  | 'role'
  | 'upCoins'
  | 'referralCode'
  | 'referredBy'
  | 'achievementsCount'
  | 'createdAt'
  | 'lastLogin'
>;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** pg returns bigint as a string; Telegram ids have at most 52 significant bits, so Number is exact. */
function telegramIdOf(member: Pick<MemberEntity, 'telegramId'>): number | null {
  return member.telegramId === null ? null : Number(member.telegramId);
}

/**
 * The language to speak to the member in: their choice, else their Telegram `language_code`
 * (`en`, `en-US` → en), else Russian, the club's language. The bot's `languageOf` reads
 * language_code the same way.
 */
export function languageOf(member: MemberEntity): NotificationLanguage {
  if (member.language) return member.language;
  return member.languageCode?.toLowerCase().startsWith('en') ? 'en' : 'ru';
}

export function toNotificationSettings(member: MemberEntity): NotificationSettings {
  return {
    announcements: member.notifyAnnouncements,
    reminders: member.notifyReminders,
    language: languageOf(member),
  };
}

export function toNotificationTarget(member: MemberEntity): NotificationTarget {
  return {
    member_id: member.id,
    telegram_id: member.telegramId,
    reachable: member.telegramReachable,
    ...toNotificationSettings(member),
  };
}

/** The member's own view (docs/api.md private profile), field by field. */
export function toPrivateProfile(member: MemberProfileFields): PrivateProfile {
  return {
    id: member.id,
    telegram_id: telegramIdOf(member),
    username: member.username,
    full_name: member.fullName,
    first_name: member.firstName,
    email: member.email,
    email_verified: member.email !== null && member.emailVerifiedAt !== null,
    photo_url: member.photoUrl,
    role: member.role,
    up_coins: member.upCoins,
    referral_code: member.referralCode,
    referred_by: member.referredBy,
    achievements_count: member.achievementsCount,
    created_at: member.createdAt.toISOString(),
    last_login: iso(member.lastLogin),
  };
}

/**
 * The public view, built from an allow-list: each public field is copied by name and nothing
 * else, so a column added to members later can never leak into it by accident.
 */
export function toPublicProfile(member: MemberEntity): PublicProfile {
  return {
    id: member.id,
    full_name: member.fullName,
    role: member.role,
    created_at: member.createdAt.toISOString(),
    achievements_count: member.achievementsCount,
    referral_code: member.referralCode,
    photo_url: member.photoUrl,
  };
}

export function toAdminView(member: MemberEntity): AdminMemberView {
  return { ...toPrivateProfile(member), is_active: member.isActive };
}

/** `member.updated` with the member's state and what the transaction created or changed. */
export function toMemberUpdated(
  member: MemberEntity,
  change: { created: boolean; changed: MemberField[] },
): MemberUpdatedPayload {
  return {
    member_id: member.id,
    version: member.version,
    created: change.created,
    changed: change.changed,
    full_name: member.fullName,
    username: member.username,
    photo_url: member.photoUrl,
    role: member.role,
    is_active: member.isActive,
    language_code: member.languageCode,
    telegram_id: telegramIdOf(member),
    language: languageOf(member),
    announcements: member.notifyAnnouncements,
    reminders: member.notifyReminders,
  };
}
