import { randomInt, randomUUID } from 'node:crypto';
import { CreateEventBody, EventView, MemberRole, USERS } from '@up/contracts';
import type { Platform } from '@up/testing';
import { AccessTokenService } from '../../src/auth/access-token.service';

/** The Telegram id the platform under test treats as an admin (`ADMIN_TELEGRAM_IDS`). */
export const ADMIN_TELEGRAM_ID = 900_000_001;

export interface TestMember {
  id: string;
  role: MemberRole;
  token: string;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * Members and events for end-to-end tests, made through the platform's own doors: members over the
 * users bus (`users.upsert_telegram`, no password hashing, so hundreds are quick), roles and coins
 * through `users.admin_update` and `users.credit_coins`, access tokens from the gateway's own
 * token service, events through `POST /api/v1/events`.
 */
export class ClubFactory {
  private admin?: TestMember;

  constructor(private readonly platform: Platform) {}

  /** Start the platform with this so that `adminMember()` is an admin. */
  static readonly env = { ADMIN_TELEGRAM_IDS: String(ADMIN_TELEGRAM_ID) };

  async adminMember(): Promise<TestMember> {
    this.admin ??= await this.memberWithTelegramId(ADMIN_TELEGRAM_ID);
    return this.admin;
  }

  async member(options: { coins?: number; role?: MemberRole } = {}): Promise<TestMember> {
    let member = await this.memberWithTelegramId(randomInt(1_000_000_000, 2 ** 47));
    if (options.role && options.role !== member.role) {
      const admin = await this.adminMember();
      await this.platform.bus.send(USERS.ADMIN_UPDATE, {
        member_id: member.id,
        actor_id: admin.id,
        role: options.role,
      });
      member = { ...member, role: options.role, token: this.tokenOf(member.id, options.role) };
    }
    if (options.coins) await this.grantCoins(member.id, options.coins);
    return member;
  }

  async grantCoins(memberId: string, amount: number): Promise<void> {
    await this.platform.bus.send(USERS.CREDIT_COINS, {
      member_id: memberId,
      amount,
      idempotency_key: `test-grant:${randomUUID()}`,
      reason: 'Test grant',
    });
  }

  async balanceOf(memberId: string): Promise<number> {
    const { profile } = await this.platform.bus.send(USERS.GET_PROFILE, { member_id: memberId });
    return profile.up_coins;
  }

  /** An event created by `by` (an organizer made on the fly by default) through the gateway. */
  async event(overrides: Partial<CreateEventBody> = {}, by?: TestMember): Promise<EventView> {
    const organizer = by ?? (await this.member({ role: MemberRole.ORGANIZER }));
    const body: CreateEventBody = {
      title: `Club evening ${randomInt(1_000_000)}`,
      start_date: inDays(7),
      location: 'Moscow',
      ...overrides,
    };
    const res = await this.platform.api.post<EventView>('/api/v1/events', {
      token: organizer.token,
      body,
    });
    if (res.status !== 201) throw new Error(`event not created: ${res.status} ${res.text}`);
    return res.json;
  }

  private async memberWithTelegramId(telegramId: number): Promise<TestMember> {
    const { profile } = await this.platform.bus.send(USERS.UPSERT_TELEGRAM, {
      telegram_id: telegramId,
      first_name: 'Test',
      username: `member_${telegramId}`,
    });
    return { id: profile.id, role: profile.role, token: this.tokenOf(profile.id, profile.role) };
  }

  private tokenOf(id: string, role: MemberRole): string {
    return this.platform.app('gateway').get(AccessTokenService).issue({ id, role }).access_token;
  }
}

export { inDays };
