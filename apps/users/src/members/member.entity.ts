import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { MemberRole, NotificationLanguage } from '@up/contracts';
import { USERS_SCHEMA } from '../shared/schema';

/**
 * A club member. Created from Telegram (telegram_id) or by email registration (email +
 * password_hash); both may be null but not at once. `version` grows on every change to anything
 * the private profile shows (see ProfileVersions). A deleted member keeps its row, erased
 * (`deleted_at`), so the ledger and others' referrals stay consistent; a merged one points to the
 * member it became (`merged_into`); neither needs an identity any more.
 */
@Entity({ schema: USERS_SCHEMA, name: 'members' })
@Check(
  'members_identity_check',
  'telegram_id IS NOT NULL OR email IS NOT NULL OR deleted_at IS NOT NULL OR merged_into IS NOT NULL',
)
@Check('members_not_merged_into_self_check', 'merged_into IS NULL OR merged_into <> id')
@Check('members_email_lowercase_check', 'email = lower(email)')
@Check('members_role_check', `role IN ('member', 'organizer', 'admin')`)
@Check('members_up_coins_check', 'up_coins >= 0')
@Check('members_achievements_count_check', 'achievements_count >= 0')
@Check('members_not_self_referred_check', 'referred_by IS NULL OR referred_by <> id')
@Check('members_language_check', `language IN ('ru', 'en')`)
// Usernames compare case-insensitively (Telegram's do); an expression index TypeORM cannot model,
// so it lives in the migration only and the schema comparison leaves it alone.
@Index('members_username_lower_key', { synchronize: false })
// Trigram index for the administrators' substring search over email, username and names.
@Index('members_search_trgm_idx', { synchronize: false })
// A member's referrals, oldest first (also serves the foreign key's ON DELETE).
@Index('members_referred_by_created_at_idx', ['referredBy', 'createdAt'])
// Announcement recipients walked by id (keyset pages): only the members who get announcements.
@Index('members_announcement_targets_idx', ['id'], {
  where: 'is_active AND telegram_id IS NOT NULL AND notify_announcements AND telegram_reachable',
})
export class MemberEntity {
  // The migration's default is gen_random_uuid() (built in since PostgreSQL 13).
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'members_pkey' })
  id!: string;

  /** bigint in PostgreSQL; pg returns it as a string, kept as such until the profile mapping. */
  @Index('members_telegram_id_key', { unique: true })
  @Column({ name: 'telegram_id', type: 'bigint', nullable: true })
  telegramId!: string | null;

  /** Stored lower-cased; unique when present. */
  @Index('members_email_key', { unique: true })
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** When the member proved they receive mail at `email` (null: not yet, or no email). */
  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  username!: string | null;

  @Column({ name: 'full_name', type: 'varchar', length: 160 })
  fullName!: string;

  @Column({ name: 'first_name', type: 'varchar', length: 64, nullable: true })
  firstName!: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 64, nullable: true })
  lastName!: string | null;

  @Column({ name: 'photo_url', type: 'varchar', length: 2048, nullable: true })
  photoUrl!: string | null;

  @Column({ name: 'language_code', type: 'varchar', length: 35, nullable: true })
  languageCode!: string | null;

  /** The language the member chose (bot, mails); null: follow `language_code`. */
  @Column({ type: 'varchar', length: 2, nullable: true })
  language!: NotificationLanguage | null;

  /** Announcements of new events in Telegram. */
  @Column({ name: 'notify_announcements', type: 'boolean', default: true })
  notifyAnnouncements!: boolean;

  /** Reminders before the events the member joined. */
  @Column({ name: 'notify_reminders', type: 'boolean', default: true })
  notifyReminders!: boolean;

  /**
   * False once Telegram refused a message to this account (403: bot blocked, account deleted);
   * true again when the member writes to the bot. Not part of the profile: no version bump.
   */
  @Column({ name: 'telegram_reachable', type: 'boolean', default: true })
  telegramReachable!: boolean;

  @Column({ type: 'varchar', length: 16, default: MemberRole.MEMBER })
  role!: MemberRole;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  /**
   * Grows with every deactivation, in its transaction. Each refresh-token family records the epoch
   * of its sign-in, and a refresh is refused once the member's epoch is newer: deactivation ends
   * every session at its commit, with no second call to lose and no clock to compare, and the
   * sessions stay ended after a reactivation. Not part of the profile.
   */
  @Column({ name: 'session_epoch', type: 'integer', default: 0 })
  sessionEpoch!: number;

  @Column({ name: 'up_coins', type: 'integer', default: 0 })
  upCoins!: number;

  @Column({ name: 'achievements_count', type: 'integer', default: 0 })
  achievementsCount!: number;

  @Index('members_referral_code_key', { unique: true })
  @Column({ name: 'referral_code', type: 'varchar', length: 9 })
  referralCode!: string;

  @Column({ name: 'referred_by', type: 'uuid', nullable: true })
  referredBy!: string | null;

  @ManyToOne(() => MemberEntity, { onDelete: 'SET NULL', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'referred_by', foreignKeyConstraintName: 'members_referred_by_fkey' })
  referrer?: MemberEntity | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** The member this one was merged into (its referral code now shows that member's profile). */
  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @ManyToOne(() => MemberEntity, { onDelete: 'RESTRICT', createForeignKeyConstraints: true })
  @JoinColumn({ name: 'merged_into', foreignKeyConstraintName: 'members_merged_into_fkey' })
  survivor?: MemberEntity | null;

  /** When the member deleted their account (personal data erased then). */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'last_login', type: 'timestamptz', nullable: true })
  lastLogin!: Date | null;

  @Index('members_created_at_idx')
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
