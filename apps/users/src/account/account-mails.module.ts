import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { AccountMails } from './account-mails';
import { AccountTokens } from './account-tokens';
import { MemberTokensRepository } from './member-tokens.repository';

/**
 * Mailed one-time tokens and the mails that carry them; imported by registration (credentials)
 * and by the account routes, which is why it is a module of its own.
 */
@Module({
  imports: [MailModule],
  providers: [AccountMails, AccountTokens, MemberTokensRepository],
  exports: [AccountMails, AccountTokens],
})
export class AccountMailsModule {}
