import { AccountModule } from './account/account.module';
import { AchievementsModule } from './achievements/achievements.module';
import { AdminModule } from './admin/admin.module';
import { CoinsModule } from './coins/coins.module';
import { CredentialsModule } from './credentials/credentials.module';
import { DeletionModule } from './deletion/deletion.module';
import { MembersModule } from './members/members.module';
import { MergesModule } from './merges/merges.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ReferralsModule } from './referrals/referrals.module';

/** The users service's feature modules, as AppModule (and the integration tests) import them. */
export const USERS_FEATURE_MODULES = [
  MembersModule,
  CredentialsModule,
  ReferralsModule,
  CoinsModule,
  AchievementsModule,
  AdminModule,
  NotificationsModule,
  AccountModule,
  MergesModule,
  DeletionModule,
];
