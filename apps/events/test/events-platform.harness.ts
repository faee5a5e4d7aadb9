import { DataSource } from 'typeorm';
import { CreateEventDto, EVENT_EVENTS, EventView } from '@up/contracts';
import { ClubFactory, Platform, PlatformApp, startPlatform } from '@up/testing';
import { CalendarService } from '../src/calendar/calendar.service';
import { EventsService } from '../src/events/events.service';
import { JoinRecoveryService } from '../src/participation/join-recovery.service';
import { ParticipationService } from '../src/participation/participation.service';
import { SeatsRepository } from '../src/participation/seats.repository';
import { WaitlistService } from '../src/participation/waitlist.service';
import { ReminderSweep } from '../src/reminders/reminder-sweep.service';
import { BusEventsRecorder } from './bus-events.recorder';
import { EventsRows } from './events-rows';
import { createEventDto } from './factories/event.factory';
import { UsersLedger } from './users-ledger';

/** One running events replica and the services a test drives in it. */
export interface EventsReplica {
  app: PlatformApp;
  events: EventsService;
  participation: ParticipationService;
  recovery: JoinRecoveryService;
  calendar: CalendarService;
  seats: SeatsRepository;
  waitlist: WaitlistService;
  reminders: ReminderSweep;
}

function replicaOf(app: PlatformApp): EventsReplica {
  return {
    app,
    events: app.get(EventsService),
    participation: app.get(ParticipationService),
    recovery: app.get(JoinRecoveryService),
    calendar: app.get(CalendarService),
    seats: app.get(SeatsRepository),
    waitlist: app.get(WaitlistService),
    reminders: app.get(ReminderSweep),
  };
}

export interface EventsPlatform extends EventsReplica {
  platform: Platform;
  /** Every events replica (the first one is also spread on this object). */
  replicas: EventsReplica[];
  /** Members, roles and coins made through the real users service. */
  club: ClubFactory;
  /** The real users service's ledger. */
  ledger: UsersLedger;
  /** What the events service published on the bus. */
  published: BusEventsRecorder;
  /** An event created through the first replica: `createEventDto(overrides)`. */
  newEvent(overrides?: Partial<CreateEventDto>): Promise<EventView>;
  /** The events schema's rows, read directly. */
  rows: EventsRows;
  /** A member made in the users service, with `coins` UP coins; its id. */
  member(coins?: number): Promise<string>;
  balanceOf(memberId: string): Promise<number>;
  /** Stops the users service (as SIGTERM would); requests to it wait in its stream meanwhile. */
  stopUsers(): Promise<void>;
  /** Starts the users service again, under the same consumer name. */
  startUsers(): Promise<void>;
  /** A query on the shared database (the events schema, or another service's to break it). */
  sql<T>(query: string, params?: unknown[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * The events service with the real users service beside it, over the real bus, on a database and
 * a Redis prefix of their own (`startPlatform`). `replicas` events replicas share them, as
 * deployed replicas do. The recovery sweep is left to the tests (`recovery.sweep(graceMs)`);
 * `eventsEnv` adds to the events replicas' environment (e.g. a short BUS_REQUEST_TIMEOUT_MS for
 * tests that stop users).
 */
export async function startEventsPlatform(
  options: { replicas?: number; eventsEnv?: Record<string, string> } = {},
): Promise<EventsPlatform> {
  const platform = await startPlatform({
    apps: ['users', 'events'],
    replicas: { events: options.replicas ?? 1 },
    env: ClubFactory.env,
    appEnv: {
      events: {
        JOIN_RECOVERY_INTERVAL_MS: '0',
        // Reminders are swept by the tests that are about them.
        EVENT_REMINDER_INTERVAL_MS: '0',
        // Room for the concurrent joins to contend in PostgreSQL rather than queue for a connection.
        DATABASE_POOL_SIZE: '10',
        ...options.eventsEnv,
      },
    },
  });
  let published: BusEventsRecorder;
  try {
    published = await BusEventsRecorder.start({
      env: platform.env,
      events: Object.values(EVENT_EVENTS),
    });
  } catch (error) {
    await platform.close();
    throw error;
  }
  const replicas = platform.apps.filter((app) => app.name === 'events').map(replicaOf);
  const club = new ClubFactory(platform);
  const dataSource = replicas[0].app.get(DataSource);
  const sql = <T>(query: string, params: unknown[] = []) => dataSource.query<T>(query, params);
  return {
    ...replicas[0],
    platform,
    replicas,
    club,
    ledger: new UsersLedger(platform.bus),
    published,
    newEvent: (overrides = {}) => replicas[0].events.create(createEventDto(overrides)),
    rows: new EventsRows(sql),
    member: async (coins = 0) => (await club.member({ coins })).id,
    balanceOf: (memberId) => club.balanceOf(memberId),
    stopUsers: () => platform.app('users').stop(),
    startUsers: () => platform.app('users').start(),
    sql,
    close: async () => {
      try {
        await published.close();
      } finally {
        await platform.close();
      }
    },
  };
}
