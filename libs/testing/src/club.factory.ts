import { randomInt, randomUUID } from 'node:crypto';
import { CreateEventBody, EVENTS, EventView, MemberRole, USERS } from '@up/contracts';
import type { Platform } from './platform';
import type { TelegramTestUser } from './telegram';

/** The Telegram id the platform under test treats as an admin (`ADMIN_TELEGRAM_IDS`). */
export const ADMIN_TELEGRAM_ID = 900_000_001;

/** An ISO timestamp `days` from now (negative: in the past). */
export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export interface ClubMember {
  id: string;
  role: MemberRole;
  telegram_id: number;
}

/**
 * Members and events for tests over the platform (`startPlatform`), made through the services'
 * own doors on the bus: members with `users.upsert_telegram` (no password hashing, so hundreds are
 * quick), roles and deactivation with `users.admin_update` by the configured admin, coins with
 * `users.credit_coins`, events with `events.create` as their organizer. Start the platform with
 * `ClubFactory.env` so that `adminMember()` is an admin.
 */
export class ClubFactory {
  private admin?: Promise<ClubMember>;

  constructor(protected readonly platform: Platform) {}

  static readonly env = { ADMIN_TELEGRAM_IDS: String(ADMIN_TELEGRAM_ID) };

  adminMember(): Promise<ClubMember> {
    this.admin ??= this.upsertMember({ id: ADMIN_TELEGRAM_ID, first_name: 'Admin' });
    return this.admin;
  }

  /**
   * A member: a fresh one, or the member behind a simulated Telegram user (`telegram`), created as
   * the bot does on their first message; with a role and UP coins when asked.
   */
  async member(
    options: { coins?: number; role?: MemberRole; telegram?: TelegramTestUser } = {},
  ): Promise<ClubMember> {
    const telegramId = options.telegram?.id ?? randomInt(1_000_000_000, 2 ** 47);
    let member = await this.upsertMember({
      id: telegramId,
      first_name: options.telegram?.first_name ?? 'Test',
      username: options.telegram ? options.telegram.username : `member_${telegramId}`,
      // As the bot passes it: the member's language comes from their Telegram client.
      language_code: options.telegram?.language_code,
    });
    if (options.role && options.role !== member.role) {
      await this.adminUpdate({ member_id: member.id, role: options.role });
      member = { ...member, role: options.role };
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

  /** Deactivates a member, as an administrator does. */
  async deactivate(memberId: string): Promise<void> {
    await this.adminUpdate({ member_id: memberId, is_active: false });
  }

  /** An event created by `by` (an organizer made on the fly by default) over the events bus. */
  async event(overrides: Partial<CreateEventBody> = {}, by?: ClubMember): Promise<EventView> {
    const organizer = by ?? (await this.member({ role: MemberRole.ORGANIZER }));
    return this.platform.bus.send(EVENTS.CREATE, {
      ...this.eventBody(overrides),
      actor_id: organizer.id,
      actor_role: organizer.role,
    });
  }

  /** What `event()` creates: a title, a start a week ahead and a place, under `overrides`. */
  protected eventBody(overrides: Partial<CreateEventBody>): CreateEventBody {
    return {
      title: `Club evening ${randomInt(1_000_000)}`,
      start_date: inDays(7),
      location: 'Moscow',
      ...overrides,
    };
  }

  private async adminUpdate(change: {
    member_id: string;
    role?: MemberRole;
    is_active?: boolean;
  }): Promise<void> {
    const admin = await this.adminMember();
    await this.platform.bus.send(USERS.ADMIN_UPDATE, { ...change, actor_id: admin.id });
  }

  private async upsertMember(
    user: Pick<TelegramTestUser, 'id' | 'first_name'> & {
      username?: string;
      language_code?: string;
    },
  ): Promise<ClubMember> {
    const { profile } = await this.platform.bus.send(USERS.UPSERT_TELEGRAM, {
      telegram_id: user.id,
      first_name: user.first_name,
      ...(user.username ? { username: user.username } : {}),
      ...(user.language_code ? { language_code: user.language_code } : {}),
    });
    return { id: profile.id, role: profile.role, telegram_id: user.id };
  }
}
