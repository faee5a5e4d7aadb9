import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Min,
  NotEquals,
} from 'class-validator';
import { IsTelegramId } from '../validation/telegram-id';
import { COIN_TRANSACTION_KINDS, CoinTransactionKind } from './coin-transaction-kinds';
import { MEMBER_ROLES, MemberRole } from './member-roles';
import { NOTIFICATION_LANGUAGES, NotificationLanguage } from './notifications.dto';

/**
 * The member fields `member.updated` carries and reports as changed. WIRE VALUES: consumers
 * branch on them (e.g. `role` in `changed`); add new ones, do not rename.
 */
export const MemberField = {
  FULL_NAME: 'full_name',
  USERNAME: 'username',
  PHOTO_URL: 'photo_url',
  ROLE: 'role',
  IS_ACTIVE: 'is_active',
  LANGUAGE_CODE: 'language_code',
  TELEGRAM_ID: 'telegram_id',
  /** The member's chosen language (the effective one is always in the payload's `language`). */
  LANGUAGE: 'language',
  ANNOUNCEMENTS: 'announcements',
  REMINDERS: 'reminders',
} as const;

export type MemberField = (typeof MemberField)[keyof typeof MemberField];

export const MEMBER_FIELDS: readonly MemberField[] = Object.values(MemberField);

/**
 * `member.updated`: a member was created (`created`, every field in `changed`) or one of the
 * fields above changed. One event per member per transaction, with the state it committed;
 * `version` only grows, so a consumer keeping a copy ignores an event older than what it holds
 * (delivery is at-least-once and not ordered across replicas).
 */
export class MemberUpdatedPayload {
  @IsUUID()
  member_id!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsBoolean()
  created!: boolean;

  @IsArray()
  @ArrayUnique()
  @IsIn(MEMBER_FIELDS, { each: true })
  changed!: MemberField[];

  @IsString()
  full_name!: string;

  @IsOptional()
  @IsString()
  username!: string | null;

  @IsOptional()
  @IsString()
  photo_url!: string | null;

  @IsIn(MEMBER_ROLES)
  role!: MemberRole;

  @IsBoolean()
  is_active!: boolean;

  @IsOptional()
  @IsString()
  language_code!: string | null;

  @IsOptional()
  @IsTelegramId()
  telegram_id!: number | null;

  /** The language to speak to the member in: their setting, else from language_code, else ru. */
  @IsIn(NOTIFICATION_LANGUAGES)
  language!: NotificationLanguage;

  /** Notification settings: announcements of new events, reminders before joined events. */
  @IsBoolean()
  announcements!: boolean;

  @IsBoolean()
  reminders!: boolean;
}

/** `member.coins_changed`: one applied ledger entry (a repeated idempotency key publishes nothing). */
export class MemberCoinsChangedPayload {
  @IsUUID()
  member_id!: string;

  /** Signed: negative when coins were taken. */
  @IsInt()
  @NotEquals(0)
  delta!: number;

  /** The balance right after this entry. */
  @IsInt()
  @Min(0)
  balance!: number;

  @IsString()
  reason!: string;

  @IsIn(COIN_TRANSACTION_KINDS)
  kind!: CoinTransactionKind;

  /** The entry's idempotency key, e.g. `join:<event id>:<member id>`. */
  @IsString()
  ledger_key!: string;

  /** The ledger row's id. */
  @IsUUID()
  transaction_id!: string;
}

/**
 * `member.deleted`: the member erased their account. Every service drops what it holds about them
 * (the events service gives back their upcoming seats and waitlist places, with refunds).
 */
export class MemberDeletedPayload {
  @IsUUID()
  member_id!: string;
}

/**
 * `member.merged`: one person's two members became one. `from` is deactivated and points to
 * `into`, which now holds its coins, seats, referrals, achievements and identities.
 */
export class MemberMergedPayload {
  @IsUUID()
  merge_id!: string;

  @IsUUID()
  from!: string;

  @IsUUID()
  into!: string;
}
