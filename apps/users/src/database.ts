import { ServiceDatabase } from '@up/database';
import { AchievementEntity } from './achievements/achievement.entity';
import { CoinTransactionEntity } from './coins/coin-transaction.entity';
import { MemberTokenEntity } from './account/member-token.entity';
import { MailOutboxEntity } from './mail/mail-outbox.entity';
import { MemberEntity } from './members/member.entity';
import { CreateMembers1795310248112 } from './migrations/1795310248112-createMembers';
import { CreateOutbox1796000000000 } from './migrations/1796000000000-createOutbox';
import { AddNotificationSettings1797000000000 } from './migrations/1797000000000-addNotificationSettings';
import { AccountMail1797000000001 } from './migrations/1797000000001-accountMail';
import { AccountLifecycle1798000000000 } from './migrations/1798000000000-accountLifecycle';
import { MemberMergeEntity } from './merges/member-merge.entity';
import { AddSessionEpoch1798110000000 } from './migrations/1798110000000-addSessionEpoch';
import { AddOutboxTraceContext1799120000000 } from './migrations/1799120000000-addOutboxTraceContext';
import { ReferralRewardEntity } from './referrals/referral-reward.entity';
import { USERS_SCHEMA } from './shared/schema';

/**
 * The users service's tables, in PostgreSQL schema `users`: every entity and migration of the
 * service is listed here (the app, the migrate command and the TypeORM CLI all read this list).
 */
export const usersDatabase: ServiceDatabase = {
  schema: USERS_SCHEMA,
  entities: [
    MemberEntity,
    CoinTransactionEntity,
    AchievementEntity,
    MemberTokenEntity,
    MailOutboxEntity,
    ReferralRewardEntity,
    MemberMergeEntity,
  ],
  migrations: [
    CreateMembers1795310248112,
    CreateOutbox1796000000000,
    AddNotificationSettings1797000000000,
    AccountMail1797000000001,
    AccountLifecycle1798000000000,
    AddSessionEpoch1798110000000,
    AddOutboxTraceContext1799120000000,
  ],
};
