import { Injectable } from '@nestjs/common';
import type { User } from 'telegraf/types';
import { BusClient } from '@up/bus';
import {
  ErrorCode,
  isReferralCode,
  MemberProfileResult,
  normalizeReferralCode,
  UpsertTelegramMemberDto,
  UpsertTelegramResult,
  USERS,
} from '@up/contracts';
import { busErrorCode } from '../telegram/bot-failures';
import { CachedMember, ProfileCache } from './profile-cache';

/**
 * The member behind a Telegram user, from the users service through this replica's profile cache.
 * `/start` creates or refreshes them; the other commands look them up and create them on the spot
 * for someone who never sent /start (a member reaching /login through the command menu still gets
 * in).
 *
 * No photo is sent: a Telegram file URL embeds the bot token, and the profile photo is public.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly bus: BusClient,
    private readonly cache: ProfileCache,
  ) {}

  async upsert(from: User, startPayload?: string): Promise<UpsertTelegramResult> {
    const referral = normalizeReferralCode(startPayload);
    const request: UpsertTelegramMemberDto = {
      telegram_id: from.id,
      first_name: from.first_name,
      ...(from.last_name ? { last_name: from.last_name } : {}),
      ...(from.username ? { username: from.username } : {}),
      ...(from.language_code ? { language_code: from.language_code } : {}),
      ...(isReferralCode(referral) ? { referral_code: referral } : {}),
    };
    const result = await this.bus.send(USERS.UPSERT_TELEGRAM, request);
    // The names may have changed; member.updated follows, but this replica knows already.
    this.cache.invalidate({ telegramId: from.id });
    return result;
  }

  async memberOf(from: User): Promise<MemberProfileResult> {
    const member = await this.lookup(from.id);
    return member ? member.result : this.upsert(from);
  }

  /**
   * The member and their notification target, from the cache or the users service; undefined when
   * no member has this Telegram account (nothing is created).
   */
  lookup(telegramId: number): Promise<CachedMember | undefined> {
    return this.cache.get(telegramId, async () => {
      let result: MemberProfileResult;
      try {
        result = await this.bus.send(USERS.GET_BY_TELEGRAM_ID, { telegram_id: telegramId });
      } catch (error) {
        if (busErrorCode(error) === ErrorCode.MEMBER_NOT_FOUND) return undefined;
        throw error;
      }
      const { targets } = await this.bus.send(USERS.GET_NOTIFICATION_TARGETS, {
        member_ids: [result.profile.id],
      });
      return { result, target: targets[0] ?? null };
    });
  }

  /** Tells the users service Telegram delivers to this account again; remembered in the cache. */
  async markReachable(telegramId: number): Promise<void> {
    await this.bus.send(USERS.SET_TELEGRAM_REACHABLE, {
      telegram_id: String(telegramId),
      reachable: true,
    });
    const cached = this.cache.peek(telegramId);
    if (cached?.target)
      this.cache.set(telegramId, { ...cached, target: { ...cached.target, reachable: true } });
  }
}
