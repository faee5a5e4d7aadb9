import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AdminMemberResult,
  AdminUpdateMemberDto,
  CoinTransactionKind,
  DEFAULT_PAGE_LIMIT,
  DomainError,
  ErrorCode,
  MemberRole,
  SearchMembersDto,
  SearchMembersResult,
} from '@up/contracts';
import { CoinLedger } from '../coins/coin-ledger';
import { MemberEntity } from '../members/member.entity';
import { toAdminView } from '../members/member-views';
import { MembersRepository } from '../members/members.repository';
import { MemberTransactions, MemberTx } from '../profile-versions/member-transactions';

/**
 * The text the search matches, lower-cased. Must stay the same expression as the migration's
 * `members_search_trgm_idx`, which is what keeps substring search an index scan.
 */
export const MEMBER_SEARCH_TEXT_SQL = `lower(coalesce(m.email, '') || ' ' || coalesce(m.username, '') || ' ' || m.full_name || ' ' || coalesce(m.first_name, '') || ' ' || coalesce(m.last_name, ''))`;

/** Escapes LIKE's wildcards so a search for `50%` or `a_b` means those characters. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Telegram ids are positive integers of at most 16 digits (52 bits). */
const TELEGRAM_ID_TEXT = /^\d{1,16}$/;

/** Administration: finding members; role, activity and coin adjustments. */
@Injectable()
export class AdminService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly ledger: CoinLedger,
  ) {}

  /**
   * Newest members first. `search` matches email, username and names as a case-insensitive
   * substring, and a telegram id exactly.
   */
  async search(dto: SearchMembersDto): Promise<SearchMembersResult> {
    const limit = dto.limit ?? DEFAULT_PAGE_LIMIT;
    const offset = dto.offset ?? 0;
    const term = dto.search?.trim() ?? '';
    const query = this.transactions.manager.createQueryBuilder(MemberEntity, 'm');
    if (term) {
      const byText = `${MEMBER_SEARCH_TEXT_SQL} LIKE :pattern`;
      query.where(
        TELEGRAM_ID_TEXT.test(term) ? `(${byText} OR m.telegram_id = :telegramId)` : byText,
        { pattern: `%${escapeLike(term.toLowerCase())}%`, telegramId: term },
      );
    }
    const [members, total] = await query
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .take(limit)
      .skip(offset)
      .getManyAndCount();
    return { users: members.map(toAdminView), total, limit, offset };
  }

  /**
   * Applies the changes together or not at all. A coin adjustment goes to the ledger with its
   * reason and the administrator's id (key `admin:<uuid>` unless the caller gives one, to make a
   * retried request safe); it never takes the balance below zero (INSUFFICIENT_COINS).
   */
  update(dto: AdminUpdateMemberDto): Promise<AdminMemberResult> {
    return this.transactions.run(async (tx) => {
      await this.assertActiveAdmin(tx, dto.actor_id);
      const member = await this.members.getByIdForUpdate(tx, dto.member_id);
      if (
        dto.actor_id === member.id &&
        (dto.is_active === false || (dto.role !== undefined && dto.role !== MemberRole.ADMIN))
      ) {
        // Keeps the platform from losing its last administrator by a slip.
        throw new DomainError(
          ErrorCode.FORBIDDEN,
          'Administrators cannot deactivate or demote themselves',
        );
      }
      const changes: QueryDeepPartialEntity<MemberEntity> = {};
      if (dto.role !== undefined && dto.role !== member.role) changes.role = dto.role;
      if (dto.is_active !== undefined && dto.is_active !== member.isActive) {
        changes.isActive = dto.is_active;
      }
      if (Object.keys(changes).length > 0) await this.members.update(tx, member.id, changes);
      if (dto.coins_delta !== undefined && dto.coins_delta !== 0) {
        const reason = dto.reason?.trim();
        if (!reason) {
          throw new DomainError(ErrorCode.VALIDATION_FAILED, 'A coin adjustment needs a reason', {
            reason: ['reason is required with coins_delta'],
          });
        }
        await this.ledger.apply(tx, {
          memberId: member.id,
          amount: dto.coins_delta,
          kind: CoinTransactionKind.ADMIN_ADJUSTMENT,
          reason,
          idempotencyKey: dto.idempotency_key ?? `admin:${randomUUID()}`,
          actorId: dto.actor_id,
        });
      }
      const updated = await this.members.getById(tx.manager, member.id);
      tx.memberChanged(updated.id, updated.version);
      return { profile: toAdminView(updated), version: updated.version };
    });
  }

  /** The gateway checks the caller's role from its token; this catches a token older than a demotion. */
  private async assertActiveAdmin(tx: MemberTx, actorId: string): Promise<void> {
    const actor = await this.members.findById(tx.manager, actorId);
    if (!actor?.isActive || actor.role !== MemberRole.ADMIN) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only an active administrator can do this');
    }
  }
}
