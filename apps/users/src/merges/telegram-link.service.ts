import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { LinkTelegramDto, LinkTelegramResult } from '@up/contracts';
import { isUniqueViolation, RetryTransaction } from '@up/database';
import { MemberEntity } from '../members/member.entity';
import { MemberTransactions, MemberTx } from '../members/member-transactions';
import { memberInactive } from '../members/members.errors';
import { MembersRepository } from '../members/members.repository';
import { profileResult, USERNAME_KEY } from '../members/members.service';
import { ReferralRewards } from '../referrals/referral-rewards';
import { MemberMerges } from './member-merges';
import { telegramAlreadyLinked } from './merges.errors';

const TELEGRAM_ID_KEY = 'members_telegram_id_key';

/**
 * How long the request that starts a merge waits for each remote step before answering with the
 * merge under way (the sweep finishes it): well under the gateway's own bus timeout.
 */
export const INLINE_STEP_TIMEOUT_MS = 1_500;

/**
 * Linking a Telegram account the signed-in member proved (`POST /api/users/me/link/telegram`):
 * attached when it has no member yet; otherwise the person holds both members (the Telegram
 * signature and the caller's access token), and the Telegram one merges into the caller's.
 */
@Injectable()
export class TelegramLinkService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly referrals: ReferralRewards,
    private readonly merges: MemberMerges,
  ) {}

  async link(dto: LinkTelegramDto): Promise<LinkTelegramResult> {
    const { member, mergeId } = await this.transactions.run((tx) => this.linkIn(tx, dto), {
      retryWhen: (error) =>
        isUniqueViolation(error, TELEGRAM_ID_KEY) || isUniqueViolation(error, USERNAME_KEY),
    });
    if (mergeId === null)
      return { ...profileResult(member), merge_id: null, merge_completed: true };
    const step = await this.merges.drive(mergeId, {
      start: true,
      timeoutMs: INLINE_STEP_TIMEOUT_MS,
    });
    const current = await this.members.getById(this.transactions.manager, member.id);
    return { ...profileResult(current), merge_id: mergeId, merge_completed: step === 'done' };
  }

  private async linkIn(
    tx: MemberTx,
    dto: LinkTelegramDto,
  ): Promise<{ member: MemberEntity; mergeId: string | null }> {
    const telegramId = String(dto.telegram_id);
    const holderId = (await this.members.findByTelegramId(tx.manager, telegramId))?.id;
    // Both rows in id order (as the merge's last step locks them).
    const lockOrder = [
      dto.member_id,
      ...(holderId && holderId !== dto.member_id ? [holderId] : []),
    ];
    const locked = new Map<string, MemberEntity>();
    for (const id of [...lockOrder].sort()) {
      locked.set(id, await this.members.getByIdForUpdate(tx, id));
    }
    const caller = locked.get(dto.member_id) as MemberEntity;
    if (!caller.isActive) throw memberInactive();
    if (caller.telegramId === telegramId) return { member: caller, mergeId: null };
    if (caller.telegramId !== null) throw telegramAlreadyLinked();

    const holder = holderId ? locked.get(holderId) : undefined;
    if (holder && holder.telegramId !== telegramId) {
      throw new RetryTransaction('the Telegram account changed hands before it was locked');
    }
    if (!holder) {
      const member = await this.attach(tx, caller, dto);
      await this.referrals.payPending(tx, caller.id);
      return { member, mergeId: null };
    }
    if (!holder.isActive) throw memberInactive();
    const { merge, survivor } = await this.merges.absorb(tx, {
      survivor: caller,
      absorbed: holder,
      cause: 'telegram_link',
    });
    await this.referrals.payPending(tx, caller.id);
    return { member: survivor, mergeId: merge.id };
  }

  /** The Telegram account becomes the member's; what Telegram says fills what the profile lacks. */
  private async attach(
    tx: MemberTx,
    member: MemberEntity,
    dto: LinkTelegramDto,
  ): Promise<MemberEntity> {
    const changes: QueryDeepPartialEntity<MemberEntity> = { telegramId: String(dto.telegram_id) };
    if (member.username === null && dto.username) {
      await this.members.releaseUsername(tx, { username: dto.username, exceptId: member.id });
      changes.username = dto.username;
    }
    if (member.firstName === null && dto.first_name) changes.firstName = dto.first_name;
    if (member.lastName === null && dto.last_name) changes.lastName = dto.last_name;
    if (member.photoUrl === null && dto.photo_url) changes.photoUrl = dto.photo_url;
    if (member.languageCode === null && dto.language_code) {
      changes.languageCode = dto.language_code;
    }
    return this.members.applyChanges(tx, member.id, changes);
  }
}
