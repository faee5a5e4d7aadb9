import { DynamicModule, Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { BusClient } from '@up/bus';
import { ConfigModule, loadConfig } from '@up/config';
import { DatabaseModule } from '@up/database';
import { createTestDatabase, TestDatabase } from '@up/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { CalendarModule } from '../src/calendar/calendar.module';
import { CalendarService } from '../src/calendar/calendar.service';
import { EventsConfig } from '../src/config/events.config';
import { EVENTS_DATABASE } from '../src/database';
import { EventsModule } from '../src/events/events.module';
import { EventsService } from '../src/events/events.service';
import { JoinRecoveryService } from '../src/participation/join-recovery.service';
import { ParticipationModule } from '../src/participation/participation.module';
import { ParticipationService } from '../src/participation/participation.service';
import { FakeUsersService } from './fake-users-service';

@Global()
@Module({})
class FakeBusModule {
  static with(users: FakeUsersService): DynamicModule {
    return {
      module: FakeBusModule,
      providers: [{ provide: BusClient, useValue: users.asBusClient() }],
      exports: [BusClient],
    };
  }
}

/** One events service replica (its own pool and Nest container) over a shared database. */
export interface EventsReplica {
  module: TestingModule;
  dataSource: DataSource;
  events: EventsService;
  participation: ParticipationService;
  recovery: JoinRecoveryService;
  calendar: CalendarService;
}

async function startReplica(db: TestDatabase, users: FakeUsersService): Promise<EventsReplica> {
  const config = loadConfig(EventsConfig, {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '10',
    // The tests run sweeps themselves.
    JOIN_RECOVERY_INTERVAL_MS: '0',
  });
  const module = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(EventsConfig, config),
      FakeBusModule.with(users),
      DatabaseModule.forService(EVENTS_DATABASE),
      EventsModule,
      ParticipationModule,
      CalendarModule,
    ],
  }).compile();
  await module.init();
  return {
    module,
    dataSource: module.get(getDataSourceToken()),
    events: module.get(EventsService),
    participation: module.get(ParticipationService),
    recovery: module.get(JoinRecoveryService),
    calendar: module.get(CalendarService),
  };
}

/**
 * The events service's features in-process, on their own fresh database, with the users service
 * replaced by an in-memory fake behind the bus client. `replicas` > 1 starts several containers
 * sharing the database, as several deployed replicas would.
 */
export async function startEventsService(options: { replicas?: number } = {}) {
  const db = await createTestDatabase();
  const users = new FakeUsersService();
  const replicas: EventsReplica[] = [];
  // One after the other: the first one migrates.
  for (let i = 0; i < (options.replicas ?? 1); i++) replicas.push(await startReplica(db, users));
  const [sut] = replicas;
  return {
    ...sut,
    replicas,
    users,
    db,
    /** `SELECT` helper on the shared database. */
    sql: <T>(query: string, params: unknown[] = []) => sut.dataSource.query<T>(query, params),
    close: async () => {
      for (const replica of replicas) await replica.module.close();
      await db.drop();
    },
  };
}

export type EventsServiceHarness = Awaited<ReturnType<typeof startEventsService>>;
