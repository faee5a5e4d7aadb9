import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module';
import { MembersStoreModule } from '../members/members-store.module';
import { MergesModule } from '../merges/merges.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { AccountMailsModule } from './account-mails.module';
import { AccountController } from './account.controller';
import { EmailVerificationService } from './email-verification.service';
import { PasswordsService } from './passwords.service';

/** Email verification, password reset and change, change of email (docs/api.md). */
@Module({
  imports: [
    MembersStoreModule,
    ReferralsModule,
    CredentialsModule,
    AccountMailsModule,
    MergesModule,
  ],
  controllers: [AccountController],
  providers: [EmailVerificationService, PasswordsService],
  exports: [EmailVerificationService],
})
export class AccountModule {}
