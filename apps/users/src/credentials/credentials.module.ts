import { Module } from '@nestjs/common';
import { AccountMailsModule } from '../account/account-mails.module';
import { MembersModule } from '../members/members.module';
import { MembersStoreModule } from '../members/members-store.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';
import { PasswordHasher } from './password-hasher';

@Module({
  imports: [MembersStoreModule, MembersModule, ReferralsModule, AccountMailsModule],
  controllers: [CredentialsController],
  providers: [CredentialsService, PasswordHasher],
  exports: [PasswordHasher],
})
export class CredentialsModule {}
