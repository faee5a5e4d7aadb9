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

/**
 * The member behind a Telegram user, from the users service. `/start` creates or refreshes them;
 * the other commands look them up and create them on the spot for someone who never sent /start
 * (a member reaching /login through the command menu still gets in).
 *
 * No photo is sent: a Telegram file URL embeds the bot token, and the profile photo is public.
 */
@Injectable()
export class MembersService {
  constructor(private readonly bus: BusClient) {}

  upsert(from: User, startPayload?: string): Promise<UpsertTelegramResult> {
    const referral = normalizeReferralCode(startPayload);
    const request: UpsertTelegramMemberDto = {
      telegram_id: from.id,
      first_name: from.first_name,
      ...(from.last_name ? { last_name: from.last_name } : {}),
      ...(from.username ? { username: from.username } : {}),
      ...(from.language_code ? { language_code: from.language_code } : {}),
      ...(isReferralCode(referral) ? { referral_code: referral } : {}),
    };
    return this.bus.send(USERS.UPSERT_TELEGRAM, request);
  }

  async memberOf(from: User): Promise<MemberProfileResult> {
    try {
      return await this.bus.send(USERS.GET_BY_TELEGRAM_ID, { telegram_id: from.id });
    } catch (error) {
      if (busErrorCode(error) !== ErrorCode.MEMBER_NOT_FOUND) throw error;
      return this.upsert(from);
    }
  }
}
