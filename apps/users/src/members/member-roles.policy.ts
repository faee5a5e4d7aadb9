import { Injectable } from '@nestjs/common';
import { MemberRole } from '@up/contracts';
import { UsersConfig } from '../config/users.config';

/** What the policy looks at: an email counts only once the member proved they receive mail there. */
export interface AdminCandidate {
  telegramId?: string | number | null;
  email?: string | null;
  emailVerifiedAt?: Date | null;
}

/**
 * ADMIN_TELEGRAM_IDS / ADMIN_EMAILS: members named there are admins, from creation and again at
 * each sign-in (so adding someone to the list takes effect at their next sign-in). An email names
 * a member only once it is verified: anyone can register any address, so registration alone never
 * makes an admin (verification and the sign-ins after it do). Removing someone from the list does
 * not demote them: an admin does that explicitly.
 */
@Injectable()
export class MemberRolesPolicy {
  private readonly adminTelegramIds: ReadonlySet<string>;
  private readonly adminEmails: ReadonlySet<string>;

  constructor(config: UsersConfig) {
    this.adminTelegramIds = new Set(config.ADMIN_TELEGRAM_IDS.map((id) => id.trim()));
    this.adminEmails = new Set(config.ADMIN_EMAILS.map((email) => email.trim().toLowerCase()));
  }

  isConfiguredAdmin(member: AdminCandidate): boolean {
    return (
      (member.telegramId != null && this.adminTelegramIds.has(String(member.telegramId))) ||
      (member.email != null &&
        member.emailVerifiedAt != null &&
        this.adminEmails.has(member.email.toLowerCase()))
    );
  }

  /** The role a new member starts with (a new member's email is not verified yet). */
  initialRole(member: { telegramId?: string | number | null }): MemberRole {
    return this.isConfiguredAdmin({ telegramId: member.telegramId })
      ? MemberRole.ADMIN
      : MemberRole.MEMBER;
  }

  /** The role to set at sign-in or email verification, or undefined when it stays as it is. */
  roleAtSignIn(member: AdminCandidate & { role: MemberRole }): MemberRole | undefined {
    return member.role !== MemberRole.ADMIN && this.isConfiguredAdmin(member)
      ? MemberRole.ADMIN
      : undefined;
  }
}
