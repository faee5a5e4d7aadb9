import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestMicroservice, Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import Redis from 'ioredis';
import {
  BusClient,
  BusKeys,
  busOptionsFromConfig,
  createBusMicroservice,
  RedisStreamsClient,
} from '@up/bus';
import { loadConfig } from '@up/config';
import { EventName, PrivateProfile, profileVersionKey } from '@up/contracts';
import { OutboxRelay } from '@up/database';
import { createTestDatabase, createTestRedisSpace, testBusSenderOf } from '@up/testing';
import { AccountTokens } from '../src/account/account-tokens';
import { EmailVerificationService } from '../src/account/email-verification.service';
import { MemberTokenPurpose } from '../src/account/member-token.entity';
import { AppModule } from '../src/app.module';
import { CoinsService } from '../src/coins/coins.service';
import { UsersConfig } from '../src/config/users.config';
import { CredentialsService } from '../src/credentials/credentials.service';
import { MemberTransactions } from '../src/members/member-transactions';
import { MembersRepository } from '../src/members/members.repository';
import { MembersService } from '../src/members/members.service';
import { coinChangeDto, registerMemberDto, telegramUserDto } from './factories/member.factory';

/** An event as it went out on the bus. */
export interface PublishedEvent<TPayload> {
  eventId: string;
  occurredAt: string;
  data: TPayload;
}

/**
 * The users service as main.ts runs it (AppModule over the bus), on a database and a Redis key
 * prefix of its own. Tests call its services directly (`get`) or send bus requests (`bus`).
 */
export interface UsersServiceHarness {
  config: UsersConfig;
  bus: BusClient;
  dataSource: DataSource;
  /** A separate connection for assertions on the keys the service writes. */
  redis: Redis;
  get<T>(type: Type<T>): T;
  /** Builders for the data most tests need. */
  given: {
    telegramMember(overrides?: Parameters<typeof telegramUserDto>[0]): Promise<PrivateProfile>;
    emailMember(overrides?: Parameters<typeof registerMemberDto>[0]): Promise<PrivateProfile>;
    /** Verifies the member's email as following the mailed link would (the token without the mail). */
    verifyEmail(memberId: string): Promise<PrivateProfile>;
    /** Credits `amount` coins (through the ledger, like any credit). */
    coins(memberId: string, amount: number): Promise<void>;
  };
  profileVersionInRedis(memberId: string): Promise<number | null>;
  /**
   * Every `name` event on the bus stream, oldest first, once the outbox relay has sent all that
   * was committed so far (so a test sees everything its calls published).
   */
  publishedEvents<T>(name: EventName<T>): Promise<PublishedEvent<T>[]>;
  close(): Promise<void>;
}

export async function startUsersService(
  env: Record<string, string> = {},
): Promise<UsersServiceHarness> {
  const db = await createTestDatabase();
  const space = createTestRedisSpace();
  const config = loadConfig(UsersConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    REDIS_URL: space.url,
    REDIS_KEY_PREFIX: space.prefix,
    // Without SMTP_URL mail is written as files: never into the repository in tests.
    MAIL_OUTBOX_DIR: join(tmpdir(), 'up-club-test-mail', space.prefix),
    ...env,
  });
  const app: INestMicroservice = await createBusMicroservice(AppModule.forRoot(config), {
    service: 'users',
    consumerName: 'users-test',
  });
  await app.listen();
  const transport = new RedisStreamsClient({
    ...busOptionsFromConfig(config, 'test-client'),
    senderOf: testBusSenderOf,
    consumerName: 'users-test-client',
  });
  await transport.connect();
  const bus = new BusClient(transport);
  const redis = new Redis(space.url);

  const get = <T>(type: Type<T>): T => app.get(type, { strict: false });
  return {
    config,
    bus,
    dataSource: get(DataSource),
    redis,
    get,
    given: {
      telegramMember: async (overrides) =>
        (await get(MembersService).upsertTelegram(telegramUserDto(overrides))).profile,
      emailMember: async (overrides) =>
        (await get(CredentialsService).register(registerMemberDto(overrides))).profile,
      verifyEmail: async (memberId) => {
        const token = await get(MemberTransactions).run(async (tx) => {
          const member = await get(MembersRepository).getById(tx.manager, memberId);
          return get(AccountTokens).issue(tx, {
            memberId,
            purpose: MemberTokenPurpose.EMAIL_VERIFICATION,
            email: member.email,
          });
        });
        return (await get(EmailVerificationService).verify({ token })).profile;
      },
      coins: async (memberId, amount) => {
        await get(CoinsService).credit(coinChangeDto(memberId, { amount, reason: 'Test funds' }));
      },
    },
    profileVersionInRedis: async (memberId) => {
      const value = await redis.get(profileVersionKey(space.prefix, memberId));
      return value === null ? null : Number(value);
    },
    publishedEvents: async <T>(name: EventName<T>) => {
      await outboxDrained(get(OutboxRelay));
      const entries = (await redis.xrange(
        new BusKeys(space.prefix).eventStream(name),
        '-',
        '+',
      )) as [string, string[]][];
      return entries.map(([, fields]) => {
        const wire = JSON.parse(fields[fields.indexOf('m') + 1]) as { e: string; o: string; d: T };
        return { eventId: wire.e, occurredAt: wire.o, data: wire.d };
      });
    },
    close: async () => {
      await transport.close();
      await app.close();
      redis.disconnect();
      await space.clear();
      await db.drop();
    },
  };
}

async function outboxDrained(relay: OutboxRelay): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await relay.lag()).unsent > 0) {
    if (Date.now() > deadline) throw new Error('the outbox relay sent nothing for 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
