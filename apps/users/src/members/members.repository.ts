import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError, ErrorCode } from '@up/contracts';
import { MemberTx } from '../profile-versions/member-transactions';
import { MemberEntity } from './member.entity';
import { queryRows } from '../shared/query-rows';

/** Reads and version-bumping writes of `users.members`, shared by the service's features. */
@Injectable()
export class MembersRepository {
  findById(manager: EntityManager, id: string): Promise<MemberEntity | null> {
    return manager.findOneBy(MemberEntity, { id });
  }

  async getById(manager: EntityManager, id: string): Promise<MemberEntity> {
    const member = await this.findById(manager, id);
    if (!member) throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'Member not found');
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
    if (!member) throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'Member not found');
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

  /**
   * Applies `changes` to one member, bumping its version, and returns the member as committed by
   * this transaction. MEMBER_NOT_FOUND when there is no such member.
   */
  async update(
    tx: MemberTx,
    id: string,
    changes: QueryDeepPartialEntity<MemberEntity>,
  ): Promise<MemberEntity> {
    const result = await tx.manager
      .createQueryBuilder()
      .update(MemberEntity)
      .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .execute();
    if (!result.affected) throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, 'Member not found');
    const member = await this.getById(tx.manager, id);
    tx.memberChanged(member.id, member.version);
    return member;
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
    for (const row of rows) tx.memberChanged(row.id, row.version);
  }
}
