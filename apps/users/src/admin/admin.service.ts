import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AdminMemberResult,
  AdminUpdateMemberDto,
  CoinTransactionKind,
  DEFAULT_PAGE_LIMIT,
  MemberRole,
  SearchMembersDto,
  SearchMembersResult,
} from '@up/contracts';
import { CoinLedger } from '../coins/coin-ledger';
import { MemberEntity } from '../members/member.entity';
import { toAdminView } from '../members/member-views';
import { MemberTransactions, MemberTx } from '../members/member-transactions';
import { MembersRepository } from '../members/members.repository';
import {
  coinAdjustmentNeedsReason,
  forbiddenNotActiveAdmin,
  forbiddenSelfDemotion,
} from './admin.errors';

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
    const { members, total } = await this.members.search(this.transactions.manager, {
      term,
      matchTelegramId: TELEGRAM_ID_TEXT.test(term),
      limit,
      offset,
    });
    return { users: members.map(toAdminView), total, limit, offset };
  }

  /**
   * Applies the changes together or not at all. A coin adjustment goes to the ledger with its
   * reason and the administrator's id (key `admin:<uuid>` unless the caller gives one, to make a
   * retried request safe: a repeat with the same member, amount and reason is applied once, and
   * the key with another adjustment is IDEMPOTENCY_KEY_REUSED); it never takes the balance below
   * zero (INSUFFICIENT_COINS).
   */
  update(dto: AdminUpdateMemberDto): Promise<AdminMemberResult> {
    return this.transactions.run(async (tx) => {
      await this.assertActiveAdmin(tx, dto.actor_id);
      const member = await this.members.getByIdForUpdate(tx, dto.member_id);
      if (
        dto.actor_id === member.id &&
        (dto.is_active === false || (dto.role !== undefined && dto.role !== MemberRole.ADMIN))
      ) {
        throw forbiddenSelfDemotion();
      }
      const changes: QueryDeepPartialEntity<MemberEntity> = {};
      if (dto.role !== undefined && dto.role !== member.role) changes.role = dto.role;
      if (dto.is_active !== undefined && dto.is_active !== member.isActive) {
        changes.isActive = dto.is_active;
      }
      if (Object.keys(changes).length > 0) await this.members.applyChanges(tx, member.id, changes);
      if (dto.coins_delta !== undefined && dto.coins_delta !== 0) {
        const reason = dto.reason?.trim();
        if (!reason) throw coinAdjustmentNeedsReason();
        await this.ledger.apply(tx, {
          memberId: member.id,
          amount: dto.coins_delta,
          kind: CoinTransactionKind.ADMIN_ADJUSTMENT,
          reason,
          idempotencyKey: dto.idempotency_key ?? `admin:${randomUUID()}`,
          actorId: dto.actor_id,
          repeatNeedsSameReason: true,
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
      throw forbiddenNotActiveAdmin();
    }
  }
}
