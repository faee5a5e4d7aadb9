import { Injectable } from '@nestjs/common';
import {
  ChangePasswordDto,
  ForgotPasswordDto,
  MailRequestAccepted,
  PasswordChanged,
  ResetPasswordDto,
} from '@up/contracts';
import { PasswordHasher } from '../credentials/password-hasher';
import { MemberTransactions } from '../members/member-transactions';
import { memberInactive } from '../members/members.errors';
import { MembersRepository } from '../members/members.repository';
import { AccountMails } from './account-mails';
import { AccountTokens, hashToken, newToken } from './account-tokens';
import { currentPasswordRequired, currentPasswordWrong, invalidToken } from './account.errors';
import { EmailVerificationService } from './email-verification.service';
import { MemberTokenPurpose } from './member-token.entity';

const ACCEPTED: MailRequestAccepted = { accepted: true };

/** Forgotten passwords (a mailed link) and changes of password by the signed-in member. */
@Injectable()
export class PasswordsService {
  constructor(
    private readonly transactions: MemberTransactions,
    private readonly members: MembersRepository,
    private readonly tokens: AccountTokens,
    private readonly mails: AccountMails,
    private readonly hasher: PasswordHasher,
    private readonly verification: EmailVerificationService,
  ) {}

  /**
   * A reset link to an active member's address; the same answer for any other address. An unknown
   * address still draws and hashes a token, so the two paths do comparable work (the gateway does
   * not wait for this answer anyway, see docs/api.md).
   */
  async requestReset(dto: ForgotPasswordDto): Promise<MailRequestAccepted> {
    const member = await this.members.findByEmail(this.transactions.manager, dto.email);
    if (!member?.email || !member.isActive) {
      hashToken(newToken());
      return ACCEPTED;
    }
    const withEmail = { ...member, email: member.email };
    await this.transactions.run((tx) => this.mails.sendPasswordReset(tx, withEmail));
    return ACCEPTED;
  }

  /**
   * Sets the password from a reset link (1 h, once). Following the link also proves the address,
   * so an unverified email becomes verified. INVALID_TOKEN otherwise. The caller ends the sessions.
   */
  async reset(dto: ResetPasswordDto): Promise<PasswordChanged> {
    const passwordHash = await this.hasher.hash(dto.password);
    return this.transactions.run(async (tx) => {
      const proved = await this.tokens.consume(tx, {
        purpose: MemberTokenPurpose.PASSWORD_RESET,
        token: dto.token,
      });
      if (!proved) throw invalidToken();
      const member = await this.members.getByIdForUpdate(tx, proved.memberId);
      const updated = await this.members.applyChanges(tx, member.id, { passwordHash });
      await this.tokens.useUpAll(tx, {
        memberId: member.id,
        purpose: MemberTokenPurpose.PASSWORD_RESET,
      });
      if (updated.email && updated.emailVerifiedAt === null && updated.isActive) {
        await this.verification.confirmEmail(tx, updated, updated.email);
      }
      return { member_id: member.id };
    });
  }

  /**
   * Changes the password, proving the current one; a member without a password (signed up with
   * Telegram) sets a first one without it. VALIDATION_FAILED on `current_password` when missing or
   * wrong. The caller ends the other sessions.
   */
  async change(dto: ChangePasswordDto): Promise<PasswordChanged> {
    const member = await this.members.getById(this.transactions.manager, dto.member_id);
    if (!member.isActive) throw memberInactive();
    if (member.passwordHash !== null) {
      if (dto.current_password === undefined) throw currentPasswordRequired();
      if (!(await this.hasher.verify(member.passwordHash, dto.current_password))) {
        throw currentPasswordWrong();
      }
    }
    const passwordHash = await this.hasher.hash(dto.new_password);
    return this.transactions.run(async (tx) => {
      const locked = await this.members.getByIdForUpdate(tx, member.id);
      // Changed meanwhile (another change, a reset): what was proven no longer holds.
      if (locked.passwordHash !== member.passwordHash) throw currentPasswordWrong();
      await this.members.applyChanges(tx, member.id, { passwordHash });
      await this.tokens.useUpAll(tx, {
        memberId: member.id,
        purpose: MemberTokenPurpose.PASSWORD_RESET,
      });
      return { member_id: member.id };
    });
  }
}
