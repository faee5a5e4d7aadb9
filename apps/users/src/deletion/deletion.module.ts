import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module';
import { MembersStoreModule } from '../members/members-store.module';
import { AccountDeletionService } from './account-deletion.service';
import { DeletionController } from './deletion.controller';
import { DeletionRepository } from './deletion.repository';

/** Deleting an account (docs/api.md, `DELETE /api/users/me`). */
@Module({
  imports: [MembersStoreModule, CredentialsModule],
  controllers: [DeletionController],
  providers: [AccountDeletionService, DeletionRepository],
})
export class DeletionModule {}
