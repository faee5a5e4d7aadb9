import { Injectable } from '@nestjs/common';
import { UsersConfig } from '../config/users.config';
import { mailLanguageOf } from '../mail/mail-language';
import { MailOutbox } from '../mail/mail-outbox';
import { passwordResetMail, verificationMail } from '../mail/mail-templates';
import type { MemberEntity } from '../members/member.entity';
import type { MemberTx } from '../members/member-transactions';
import { AccountTokens } from './account-tokens';
import { MemberTokenPurpose } from './member-token.entity';

/** The mails that carry a one-time link: the token and the mail are written in the caller's transaction. */
@Injectable()
export class AccountMails {
  constructor(
    private readonly tokens: AccountTokens,
    private readonly outbox: MailOutbox,
    private readonly config: UsersConfig,
  ) {}

  /**
   * A link proving the member receives mail at `email` (their own address, or a new one);
   * `merges` when following it merges the member who holds `email` into this one.
   */
  async sendVerification(
    tx: MemberTx,
    member: MemberEntity,
    email: string,
    options: { merges?: boolean } = {},
  ): Promise<void> {
    const token = await this.tokens.issue(tx, {
      memberId: member.id,
      purpose: MemberTokenPurpose.EMAIL_VERIFICATION,
      email,
    });
    await this.outbox.enqueue(
      tx,
      verificationMail({
        to: email,
        name: member.fullName,
        language: mailLanguageOf(member),
        link: this.link('/auth/verify', token),
        merges: options.merges,
      }),
    );
  }

  async sendPasswordReset(tx: MemberTx, member: MemberEntity & { email: string }): Promise<void> {
    const token = await this.tokens.issue(tx, {
      memberId: member.id,
      purpose: MemberTokenPurpose.PASSWORD_RESET,
    });
    await this.outbox.enqueue(
      tx,
      passwordResetMail({
        to: member.email,
        name: member.fullName,
        language: mailLanguageOf(member),
        link: this.link('/auth/reset', token),
      }),
    );
  }

  private link(path: string, token: string): string {
    return `${this.config.WEB_APP_URL.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`;
  }
}
