import { Injectable } from '@nestjs/common';
import { MemberRole } from '@up/contracts';
import { UsersConfig } from '../config/users.config';

/**
 * ADMIN_TELEGRAM_IDS / ADMIN_EMAILS: members named there are admins, from creation and again at
 * each sign-in (so adding someone to the list takes effect at their next sign-in). Removing someone
 * from the list does not demote them: an admin does that explicitly.
 */
@Injectable()
export class MemberRolesPolicy {
  private readonly adminTelegramIds: ReadonlySet<string>;
  private readonly adminEmails: ReadonlySet<string>;

  constructor(config: UsersConfig) {
    this.adminTelegramIds = new Set(config.ADMIN_TELEGRAM_IDS.map((id) => id.trim()));
    this.adminEmails = new Set(config.ADMIN_EMAILS.map((email) => email.trim().toLowerCase()));
  }

  isConfiguredAdmin(member: {
    telegramId?: string | number | null;
    email?: string | null;
  }): boolean {
    return (
      (member.telegramId != null && this.adminTelegramIds.has(String(member.telegramId))) ||
      (member.email != null && this.adminEmails.has(member.email.toLowerCase()))
    );
  }

  /** The role a new member starts with. */
  initialRole(member: { telegramId?: string | number | null; email?: string | null }): MemberRole {
    return this.isConfiguredAdmin(member) ? MemberRole.ADMIN : MemberRole.MEMBER;
  }

  /** The role to set at sign-in, or undefined when it stays as it is. */
  roleAtSignIn(member: {
    role: MemberRole;
    telegramId: string | null;
    email: string | null;
  }): MemberRole | undefined {
    return member.role !== MemberRole.ADMIN && this.isConfiguredAdmin(member)
      ? MemberRole.ADMIN
      : undefined;
  }
}
