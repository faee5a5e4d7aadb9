import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { MEMBER_FIELDS, MemberField, MemberRole } from '@up/contracts';
import { queryOne, queryRows } from '@up/database';
import { MemberEntity } from './member.entity';
import type { MemberProfileFields } from './member-views';
import { memberNotFound } from './members.errors';
import type { MemberTx } from './member-transactions';

/**
 * The text the admin search matches, lower-cased. Must stay the same expression as the
 * migration's `members_search_trgm_idx`, which is what keeps substring search an index scan.
 */
export const MEMBER_SEARCH_TEXT_SQL = `lower(coalesce(m.email, '') || ' ' || coalesce(m.username, '') || ' ' || m.full_name || ' ' || coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, ''))`;

/** Escapes LIKE's wildcards so a search for `50%` or `a_b` means those characters. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The entity properties behind the fields `member.updated` reports. */
const MEMBER_FIELD_OF: Partial<Record<string, MemberField>> = {
  fullName: MemberField.FULL_NAME,
  username: MemberField.USERNAME,
  photoUrl: MemberField.PHOTO_URL,
  role: MemberField.ROLE,
  isActive: MemberField.IS_ACTIVE,
  languageCode: MemberField.LANGUAGE_CODE,
  telegramId: MemberField.TELEGRAM_ID,
  language: MemberField.LANGUAGE,
  notifyAnnouncements: MemberField.ANNOUNCEMENTS,
  notifyReminders: MemberField.REMINDERS,
};

/**
 * A member as the profile reads and the sign-in need it: the private profile's fields, its
 * version, and what decides whether it may be read or sign in.
 */
export type MemberProfileRow = MemberProfileFields &
  Pick<MemberEntity, 'version' | 'deletedAt' | 'isActive' | 'sessionEpoch'>;

/** The columns of a MemberProfileRow, named as its properties. */
const PROFILE_COLUMNS = `id, telegram_id AS "telegramId", username, full_name AS "fullName",
  first_name AS "firstName", email, email_verified_at AS "emailVerifiedAt", photo_url AS "photoUrl",
  role, up_coins AS "upCoins", referral_code AS "referralCode", referred_by AS "referredBy",
  achievements_count AS "achievementsCount", created_at AS "createdAt", last_login AS "lastLogin",
  version, deleted_at AS "deletedAt", is_active AS "isActive", session_epoch AS "sessionEpoch"`;

/** A new row of `users.members`; the database fills in the rest. */
export interface MemberInsert {
  email: string | null;
  passwordHash: string | null;
  telegramId: number | null;
  username: string | null;
  fullName: string;
  firstName: string | null;
  lastName: string | null;
  photoUrl: string | null;
  languageCode: string | null;
  role: MemberRole;
  referralCode: string;
  referredBy: string | null;
  /** Sets last_login to now (creation that is itself a sign-in). */
  signedInNow: boolean;
}

/** Reads and version-bumping writes of `users.members`, shared by the service's features. */
@Injectable()
export class MembersRepository {
  findById(manager: EntityManager, id: string): Promise<MemberEntity | null> {
    return manager.findOneBy(MemberEntity, { id });
  }

  async getById(manager: EntityManager, id: string): Promise<MemberEntity> {
    const member = await this.findById(manager, id);
    if (!member) throw memberNotFound();
    return member;
  }

  /**
   * The member's profile fields, read with one plain statement: the hot read behind
   * `GET /api/users/me` builds no entity (TypeORM's hydration was most of its cost).
   */
  findProfileById(manager: EntityManager, id: string): Promise<MemberProfileRow | undefined> {
    return queryOne<MemberProfileRow>(
      manager,
      `SELECT ${PROFILE_COLUMNS} FROM users.members WHERE id = $1`,
      [id],
    );
  }

  /**
   * A sign-in of an active, not deleted member: sets last_login and bumps the version in one
   * UPDATE, which takes the row lock (the one a deactivation takes too) and re-checks the member
   * under it; answers the member as committed by this transaction, or undefined when there is no
   * such member or it is deleted or deactivated (then nothing changed).
   */
  async recordLogin(tx: MemberTx, id: string): Promise<MemberProfileRow | undefined> {
    const member = await queryOne<MemberProfileRow>(
      tx.manager,
      `UPDATE users.members SET last_login = now(), version = version + 1, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND is_active
        RETURNING ${PROFILE_COLUMNS}`,
      [id],
    );
    if (member) tx.memberChanged(member.id, member.version);
    return member;
  }

  /**
   * Locks the row until the transaction ends. FOR NO KEY UPDATE, not FOR UPDATE: the service never
   * changes a member's id, and FOR UPDATE would also wait for (and deadlock with) the FOR KEY SHARE
   * locks that concurrent inserts referencing this member (referees, ledger rows) hold on it.
   */
  async getByIdForUpdate(tx: MemberTx, id: string): Promise<MemberEntity> {
    const member = await tx.manager.findOne(MemberEntity, {
      where: { id },
      lock: { mode: 'for_no_key_update' },
    });
    if (!member) throw memberNotFound();
    return member;
  }

  findByTelegramId(
    manager: EntityManager,
    telegramId: number | string,
    options: { lock?: boolean } = {},
  ): Promise<MemberEntity | null> {
    return manager.findOne(MemberEntity, {
      where: { telegramId: String(telegramId) },
      ...(options.lock ? { lock: { mode: 'for_no_key_update' as const } } : {}),
    });
  }

  findByEmail(manager: EntityManager, email: string): Promise<MemberEntity | null> {
    return manager.findOneBy(MemberEntity, { email: email.trim().toLowerCase() });
  }

  findByReferralCode(manager: EntityManager, code: string): Promise<MemberEntity | null> {
    return manager.findOneBy(MemberEntity, { referralCode: code });
  }

  findByIds(manager: EntityManager, ids: readonly string[]): Promise<MemberEntity[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : manager.findBy(MemberEntity, { id: In([...ids]) });
  }

  /** Whether anyone but `exceptId` holds `username` (case-insensitive). */
  async isUsernameHeldByOther(
    manager: EntityManager,
    args: { username: string; exceptId: string },
  ): Promise<boolean> {
    const row = await queryOne<unknown>(
      manager,
      `SELECT 1 FROM users.members WHERE lower(username) = lower($1) AND id <> $2 LIMIT 1`,
      [args.username, args.exceptId],
    );
    return row !== undefined;
  }

  /** The members `referrerId` brought in, oldest first (at most `limit`), and how many in all. */
  async listReferees(
    manager: EntityManager,
    args: { referrerId: string; limit: number },
  ): Promise<{ referees: MemberEntity[]; count: number }> {
    const [referees, count] = await manager.findAndCount(MemberEntity, {
      where: { referredBy: args.referrerId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: args.limit,
    });
    return { referees, count };
  }

  /**
   * Newest members first. `term` (non-empty) matches email, username and names as a
   * case-insensitive substring, and with `matchTelegramId` also a telegram id exactly.
   */
  async search(
    manager: EntityManager,
    args: { term: string; matchTelegramId: boolean; limit: number; offset: number },
  ): Promise<{ members: MemberEntity[]; total: number }> {
    const query = manager.createQueryBuilder(MemberEntity, 'm');
    if (args.term) {
      const byText = `${MEMBER_SEARCH_TEXT_SQL} LIKE :pattern`;
      query.where(args.matchTelegramId ? `(${byText} OR m.telegram_id = :telegramId)` : byText, {
        pattern: `%${escapeLike(args.term.toLowerCase())}%`,
        telegramId: args.term,
      });
    }
    const [members, total] = await query
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .take(args.limit)
      .skip(args.offset)
      .getManyAndCount();
    return { members, total };
  }

  /**
   * Inserts a member and answers its id, or undefined when `referralCode` is already taken
   * (ON CONFLICT names only the referral code: a duplicate email or telegram_id still raises).
   */
  async createIfReferralCodeFree(tx: MemberTx, row: MemberInsert): Promise<string | undefined> {
    const inserted = await queryOne<{ id: string }>(
      tx.manager,
      `INSERT INTO users.members
              (email, password_hash, telegram_id, username, full_name, first_name, last_name,
               photo_url, language_code, role, referral_code, referred_by, last_login)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
               CASE WHEN $13::boolean THEN now() END)
       ON CONFLICT (referral_code) DO NOTHING
       RETURNING id`,
      [
        row.email,
        row.passwordHash,
        row.telegramId,
        row.username,
        row.fullName,
        row.firstName,
        row.lastName,
        row.photoUrl,
        row.languageCode,
        row.role,
        row.referralCode,
        row.referredBy,
        row.signedInNow,
      ],
    );
    if (inserted) tx.memberUpdated(inserted.id, { created: true, fields: MEMBER_FIELDS });
    return inserted?.id;
  }

  /**
   * Applies `changes` to one member, bumping its version, and returns the member as committed by
   * this transaction. MEMBER_NOT_FOUND when there is no such member.
   */
  async applyChanges(
    tx: MemberTx,
    id: string,
    changes: QueryDeepPartialEntity<MemberEntity>,
  ): Promise<MemberEntity> {
    const result = await tx.manager
      .createQueryBuilder()
      .update(MemberEntity)
      .set({
        ...changes,
        // Every way of deactivating a member ends their sessions (see MemberEntity.sessionEpoch).
        ...(changes.isActive === false ? { sessionEpoch: () => 'session_epoch + 1' } : {}),
        version: () => 'version + 1',
        updatedAt: () => 'now()',
      })
      .where('id = :id', { id })
      .execute();
    if (!result.affected) throw memberNotFound();
    const member = await this.getById(tx.manager, id);
    tx.memberChanged(member.id, member.version);
    const fields = Object.keys(changes).flatMap((property) => MEMBER_FIELD_OF[property] ?? []);
    if (fields.length > 0) tx.memberUpdated(member.id, { fields });
    return member;
  }

  /**
   * Adds `amount` (signed) to the member's coins, bumping its version, unless that would take the
   * balance below zero or (with `requireActive`) the member is deactivated: then undefined, and
   * nothing changed. The UPDATE takes the row lock and checks the latest committed balance, so
   * concurrent debits of one member serialise here.
   */
  async addCoins(
    tx: MemberTx,
    args: { memberId: string; amount: number; requireActive: boolean },
  ): Promise<{ balanceAfter: number } | undefined> {
    const updated = await queryOne<{ up_coins: number; version: number }>(
      tx.manager,
      `UPDATE users.members
          SET up_coins = up_coins + $2, version = version + 1, updated_at = now()
        WHERE id = $1 AND up_coins + $2 >= 0 AND (NOT $3::boolean OR is_active)
        RETURNING up_coins, version`,
      [args.memberId, args.amount, args.requireActive],
    );
    if (!updated) return undefined;
    tx.memberChanged(args.memberId, updated.version);
    return { balanceAfter: updated.up_coins };
  }

  /**
   * Frees a username held by anyone but `exceptId` (case-insensitive): Telegram usernames move
   * between accounts, and the Telegram account presenting it now is its owner.
   */
  async releaseUsername(
    tx: MemberTx,
    args: { username: string; exceptId?: string },
  ): Promise<void> {
    const rows = await queryRows<{ id: string; version: number }>(
      tx.manager,
      `UPDATE users.members
          SET username = NULL, version = version + 1, updated_at = now()
        WHERE lower(username) = lower($1) AND ($2::uuid IS NULL OR id <> $2::uuid)
        RETURNING id, version`,
      [args.username, args.exceptId ?? null],
    );
    for (const row of rows) {
      tx.memberChanged(row.id, row.version);
      tx.memberUpdated(row.id, { fields: [MemberField.USERNAME] });
    }
  }
}
