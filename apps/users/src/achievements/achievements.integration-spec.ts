import { randomUUID } from 'node:crypto';
import { BusKeys } from '@up/bus';
import { AchievementCode, EVENT_EVENTS, ParticipantJoinedPayload } from '@up/contracts';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { AchievementsService, FIRST_EVENT_CONSUMER } from './achievements.service';

describe(AchievementsService.name, () => {
  let harness: UsersServiceHarness;
  let stream: string;

  beforeAll(async () => {
    harness = await startUsersService();
    stream = new BusKeys(harness.config.REDIS_KEY_PREFIX).eventStream(
      EVENT_EVENTS.PARTICIPANT_JOINED,
    );
  });

  afterAll(async () => {
    await harness?.close();
  });

  function joined(memberId: string): ParticipantJoinedPayload {
    return {
      event_id: randomUUID(),
      member_id: memberId,
      joined_at: new Date().toISOString(),
      price: 10,
      participants_count: 1,
      spots_left: null,
    };
  }

  /** Publishes the event as the events service's outbox relay does, `times` times (re-sends). */
  async function deliver(
    payload: ParticipantJoinedPayload,
    args: { eventId: string; times: number },
  ): Promise<void> {
    for (let i = 0; i < args.times; i++) {
      await harness.bus.publishEvents([
        {
          pattern: EVENT_EVENTS.PARTICIPANT_JOINED,
          data: payload,
          eventId: args.eventId,
          occurredAt: payload.joined_at,
        },
      ]);
    }
  }

  /** Waits until the users service's group has read and acknowledged every entry of the stream. */
  async function handledAll(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [last] = await harness.redis.xrevrange(stream, '+', '-', 'COUNT', 1);
      const groups = (await harness.redis.xinfo('GROUPS', stream)) as (string | number)[][];
      const group = groups
        .map((fields) => Object.fromEntries(pairs(fields)))
        .find((g) => g.name === 'users');
      if (group?.['last-delivered-id'] === last[0] && group.pending === 0) return;
      if (Date.now() > deadline) throw new Error(`not handled: ${JSON.stringify(group)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function pairs(fields: (string | number)[]): [string, string | number][] {
    const result: [string, string | number][] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) result.push([String(fields[i]), fields[i + 1]]);
    return result;
  }

  async function firstEventState(
    memberId: string,
    eventIds: string[],
  ): Promise<{ awarded: number; count: number; processed: number }> {
    const [row] = await harness.dataSource.query(
      `SELECT (SELECT count(*)::int FROM users.achievements
                WHERE member_id = $1 AND code = $2) AS awarded,
              (SELECT achievements_count FROM users.members WHERE id = $1) AS count,
              (SELECT count(*)::int FROM users.processed_events
                WHERE consumer = $3 AND event_id = ANY($4::uuid[])) AS processed`,
      [memberId, AchievementCode.FIRST_EVENT, FIRST_EVENT_CONSUMER, eventIds],
    );
    return row;
  }

  it('awards first_event on event.participant_joined once, however often the event is delivered', async () => {
    const member = await harness.given.telegramMember();
    const eventId = randomUUID();
    await deliver(joined(member.id), { eventId, times: 2 });
    await handledAll();

    await expect(firstEventState(member.id, [eventId])).resolves.toEqual({
      awarded: 1,
      count: 1,
      processed: 1,
    });
  });

  it('keeps one first_event when the member joins another event or already had it', async () => {
    const member = await harness.given.telegramMember();
    await harness.get(AchievementsService).award({
      member_id: member.id,
      code: AchievementCode.FIRST_EVENT,
    });
    const eventIds = [randomUUID(), randomUUID()];
    for (const eventId of eventIds) await deliver(joined(member.id), { eventId, times: 1 });
    await handledAll();

    await expect(firstEventState(member.id, eventIds)).resolves.toEqual({
      awarded: 1,
      count: 1,
      processed: 2,
    });
  });

  it('records an event naming no member as handled instead of retrying it', async () => {
    const eventId = randomUUID();
    await deliver(joined(randomUUID()), { eventId, times: 1 });
    await handledAll();

    const [row] = await harness.dataSource.query(
      `SELECT count(*)::int AS processed FROM users.processed_events WHERE event_id = $1`,
      [eventId],
    );
    expect(row).toEqual({ processed: 1 });
  });
});
