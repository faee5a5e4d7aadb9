import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ErrorCode, EventPage, EventParticipantsPage, EventView, MemberRole } from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, inDays, TestMember } from '../../test/factories/club.factory';
import { EventsController } from './events.controller';

/** Ledger rows of this event's joins and refunds, straight from the users schema. */
async function joinLedger(platform: Platform, eventId: string) {
  const client = new Client({ connectionString: platform.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      member_id: string;
      amount: number;
      idempotency_key: string;
    }>(
      `SELECT member_id, amount, idempotency_key FROM users.coin_transactions
        WHERE idempotency_key LIKE 'join:' || $1 || ':%' OR idempotency_key LIKE 'join-refund:' || $1 || ':%'`,
      [eventId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe.each([1, 2])(
  `${EventsController.name} joining under concurrency (%i events replicas)`,
  (replicas) => {
    let platform: Platform;
    let club: ClubFactory;

    beforeAll(async () => {
      platform = await startPlatform({
        apps: ['gateway', 'users', 'events'],
        replicas: { events: replicas },
        env: { ...ClubFactory.env, BUS_REQUEST_TIMEOUT_MS: '30000' },
      });
      club = new ClubFactory(platform);
    }, 60_000);

    afterAll(async () => {
      await platform?.close();
    });

    it('seats exactly the capacity: 200 members at once on 50 seats at 10 coins', async () => {
      const event = await club.event({ capacity: 50, price: 10 });
      const members: TestMember[] = [];
      for (let i = 0; i < 200; i += 20) {
        members.push(
          ...(await Promise.all(Array.from({ length: 20 }, () => club.member({ coins: 100 })))),
        );
      }

      const answers = await Promise.all(
        members.map((m) =>
          platform.api.post(`/api/v1/events/${event.id}/join`, { token: m.token }),
        ),
      );

      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(50);
      expect(statuses.filter((s) => s === 409)).toHaveLength(150);
      expect(
        answers.filter((a) => a.status === 409).every((a) => a.json.code === ErrorCode.EVENT_FULL),
      ).toBe(true);
      const joined = new Set(members.filter((_, i) => statuses[i] === 201).map((m) => m.id));

      const ledger = await joinLedger(platform, event.id);
      const net = new Map<string, number>();
      for (const row of ledger) net.set(row.member_id, (net.get(row.member_id) ?? 0) + row.amount);
      expect([...net.values()].filter((amount) => amount !== 0)).toEqual(Array(50).fill(-10));
      expect([...net.entries()].filter(([, a]) => a !== 0).every(([id]) => joined.has(id))).toBe(
        true,
      );

      const balances = await Promise.all(members.map((m) => club.balanceOf(m.id)));
      members.forEach((m, i) => expect(balances[i]).toBe(joined.has(m.id) ? 90 : 100));

      const participants = await platform.api.get<EventParticipantsPage>(
        `/api/v1/events/${event.id}/participants`,
      );
      expect(participants.json.total).toBe(50);
      expect(new Set(participants.json.participants.map((p) => p.id))).toEqual(joined);
      const view = await platform.api.get<EventView>(`/api/v1/events/${event.id}`);
      expect(view.json).toMatchObject({ participants_count: 50, spots_left: 0 });
    }, 120_000);
  },
);

describe(EventsController.name, () => {
  let platform: Platform;
  let club: ClubFactory;
  let organizer: TestMember;

  beforeAll(async () => {
    platform = await startPlatform({ apps: ['gateway', 'users', 'events'], env: ClubFactory.env });
    club = new ClubFactory(platform);
    organizer = await club.member({ role: MemberRole.ORGANIZER });
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
  });

  describe('POST /api/v1/events/{id}/join and DELETE', () => {
    it('answers 201 with the new balance, and the event then says joined', async () => {
      const event = await club.event({ price: 10 });
      const member = await club.member({ coins: 25 });

      const res = await platform.api.post(`/api/v1/events/${event.id}/join`, {
        token: member.token,
      });

      expect(res.status).toBe(201);
      expect(res.json).toEqual({
        event_id: event.id,
        user_id: member.id,
        joined_at: expect.any(String),
        balance: 15,
      });
      const seen = await platform.api.get<EventView>(`/api/v1/events/${event.id}`, {
        token: member.token,
      });
      expect(seen.json).toMatchObject({ joined: true, participants_count: 1 });
      const anonymous = await platform.api.get<EventView>(`/api/v1/events/${event.id}`);
      expect(anonymous.json).not.toHaveProperty('joined');
      const again = await platform.api.post(`/api/v1/events/${event.id}/join`, {
        token: member.token,
      });
      expect([again.status, again.json.code]).toEqual([409, ErrorCode.ALREADY_JOINED]);
    });

    it('refuses a member with 5 coins a price-10 event (402) and changes nothing', async () => {
      const event = await club.event({ price: 10, capacity: 3 });
      const member = await club.member({ coins: 5 });

      const res = await platform.api.post(`/api/v1/events/${event.id}/join`, {
        token: member.token,
      });

      expect([res.status, res.json.code]).toEqual([402, ErrorCode.INSUFFICIENT_COINS]);
      expect(await club.balanceOf(member.id)).toBe(5);
      expect(await joinLedger(platform, event.id)).toEqual([]);
      const view = await platform.api.get<EventView>(`/api/v1/events/${event.id}`, {
        token: member.token,
      });
      expect(view.json).toMatchObject({ participants_count: 0, spots_left: 3, joined: false });
    });

    it('refunds on leaving, once: a second leave is 409 and refunds nothing', async () => {
      const event = await club.event({ price: 10 });
      const member = await club.member({ coins: 10 });
      await platform.api.post(`/api/v1/events/${event.id}/join`, { token: member.token });
      expect(await club.balanceOf(member.id)).toBe(0);

      const first = await platform.api.delete(`/api/v1/events/${event.id}/join`, {
        token: member.token,
      });
      const second = await platform.api.delete(`/api/v1/events/${event.id}/join`, {
        token: member.token,
      });

      expect(first.status).toBe(204);
      expect([second.status, second.json.code]).toEqual([409, ErrorCode.NOT_JOINED]);
      expect(await club.balanceOf(member.id)).toBe(10);
      expect((await joinLedger(platform, event.id)).map((r) => r.amount).sort()).toEqual([-10, 10]);
    });

    it('answers 409 EVENT_NOT_JOINABLE for inactive and started events', async () => {
      const member = await club.member({ coins: 10 });
      const inactive = await club.event({ is_active: false });
      const started = await club.event({ start_date: inDays(-0.01) });
      for (const event of [inactive, started]) {
        const res = await platform.api.post(`/api/v1/events/${event.id}/join`, {
          token: member.token,
        });
        expect([res.status, res.json.code]).toEqual([409, ErrorCode.EVENT_NOT_JOINABLE]);
      }
    });

    it('needs authentication (401)', async () => {
      const event = await club.event();
      expect((await platform.api.post(`/api/v1/events/${event.id}/join`)).status).toBe(401);
      expect((await platform.api.delete(`/api/v1/events/${event.id}/join`)).status).toBe(401);
    });

    it('lists the caller’s events at /api/users/me/events', async () => {
      const member = await club.member();
      const event = await club.event();
      await platform.api.post(`/api/v1/events/${event.id}/join`, { token: member.token });

      const res = await platform.api.get<EventPage>('/api/users/me/events', {
        token: member.token,
      });

      expect(res.status).toBe(200);
      expect(res.json.events.map((e) => e.id)).toEqual([event.id]);
      expect((await platform.api.get('/api/users/me/events')).status).toBe(401);
    });
  });

  describe('GET /api/v1/events/upcoming', () => {
    it('pages 25 upcoming events 10, 10, 5 in order with total 25, never past or inactive ones', async () => {
      // A platform of its own would be cleaner; here earlier tests' events are deactivated first.
      const admin = await club.adminMember();
      const existing = await platform.api.get<EventPage>('/api/admin/events', {
        token: admin.token,
        query: { limit: 100 },
      });
      for (const e of existing.json.events) {
        await platform.api.delete(`/api/v1/events/${e.id}`, { token: admin.token });
      }
      const upcoming: EventView[] = [];
      for (let i = 0; i < 25; i++) {
        upcoming.push(await club.event({ start_date: inDays(1 + ((i * 11) % 25)) }, organizer));
      }
      const hidden = new Set<string>();
      for (let i = 0; i < 3; i++)
        hidden.add((await club.event({ start_date: inDays(-1 - i) }, organizer)).id);
      for (let i = 0; i < 2; i++) {
        hidden.add((await club.event({ start_date: inDays(3), is_active: false }, organizer)).id);
      }

      const pages = [];
      for (const offset of [0, 10, 20]) {
        const res = await platform.api.get<EventPage>('/api/v1/events/upcoming', {
          query: { limit: 10, offset },
        });
        expect(res.status).toBe(200);
        pages.push(res.json);
      }

      expect(pages.map((p) => p.events.length)).toEqual([10, 10, 5]);
      expect(pages.map((p) => p.total)).toEqual([25, 25, 25]);
      const ids = pages.flatMap((p) => p.events.map((e) => e.id));
      const expected = [...upcoming]
        .sort((a, b) => a.start_date.localeCompare(b.start_date))
        .map((e) => e.id);
      expect(ids).toEqual(expected);
      expect(ids.some((id) => hidden.has(id))).toBe(false);
      const defaults = await platform.api.get<EventPage>('/api/v1/events/upcoming');
      expect(defaults.json).toMatchObject({ limit: 10, offset: 0, total: 25 });
    });

    it.each([{ limit: 0 }, { limit: 101 }, { limit: 'ten' }, { offset: -1 }])(
      'answers 400 for %j',
      async (query) => {
        const res = await platform.api.get('/api/v1/events/upcoming', { query });
        expect([res.status, res.json.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
      },
    );
  });

  describe('POST, PATCH, DELETE /api/v1/events', () => {
    it('creates an event for an organizer (201) with defaults', async () => {
      const res = await platform.api.post<EventView>('/api/v1/events', {
        token: organizer.token,
        body: { title: 'Breakfast', start_date: inDays(5) },
      });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({
        title: 'Breakfast',
        price: 0,
        capacity: null,
        is_active: true,
        creator_id: organizer.id,
        timezone: 'Europe/Moscow',
        spots_left: null,
        participants_count: 0,
      });
    });

    it.each([
      [
        'end_date before start_date',
        { end_date: '2030-01-01T00:00:00Z', start_date: '2030-01-02T00:00:00Z' },
      ],
      ['a negative price', { price: -1 }],
      ['a capacity below 1', { capacity: 0 }],
      ['no title', { title: undefined }],
      ['a date that is not ISO 8601', { start_date: 'next friday' }],
      ['an unknown time zone', { timezone: 'Mars/Base' }],
    ])('answers 400 for %s', async (_label, patch) => {
      const res = await platform.api.post('/api/v1/events', {
        token: organizer.token,
        body: { title: 'T', start_date: inDays(5), ...patch },
      });
      expect([res.status, res.json.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    });

    it('refuses members (403) and anonymous callers (401)', async () => {
      const member = await club.member();
      const body = { title: 'T', start_date: inDays(5) };
      expect(
        (await platform.api.post('/api/v1/events', { token: member.token, body })).status,
      ).toBe(403);
      expect((await platform.api.post('/api/v1/events', { body })).status).toBe(401);
    });

    it('lets the creator and admins change and deactivate, not other organizers (403)', async () => {
      const event = await club.event({}, organizer);
      const other = await club.member({ role: MemberRole.ORGANIZER });
      const admin = await club.adminMember();

      const byOther = await platform.api.patch(`/api/v1/events/${event.id}`, {
        token: other.token,
        body: { title: 'Hijacked' },
      });
      const deleteByOther = await platform.api.delete(`/api/v1/events/${event.id}`, {
        token: other.token,
      });
      const byCreator = await platform.api.patch<EventView>(`/api/v1/events/${event.id}`, {
        token: organizer.token,
        body: { title: 'Renamed', capacity: 12 },
      });
      const badPatch = await platform.api.patch(`/api/v1/events/${event.id}`, {
        token: organizer.token,
        body: { end_date: inDays(-30) },
      });
      const byAdmin = await platform.api.delete(`/api/v1/events/${event.id}`, {
        token: admin.token,
      });

      expect([byOther.status, deleteByOther.status]).toEqual([403, 403]);
      expect(byCreator.status).toBe(200);
      expect(byCreator.json).toMatchObject({ title: 'Renamed', capacity: 12, spots_left: 12 });
      expect(badPatch.status).toBe(400);
      expect(byAdmin.status).toBe(204);
      const after = await platform.api.get<EventView>(`/api/v1/events/${event.id}`);
      expect(after.json.is_active).toBe(false);
    });
  });

  describe('unknown ids', () => {
    it.each([
      ['GET', ''],
      ['GET', '/participants'],
      ['POST', '/join'],
      ['DELETE', '/join'],
      ['PATCH', ''],
      ['DELETE', ''],
      ['GET', '.ics'],
    ] as const)(
      '%s /api/v1/events/{id}%s answers 404 for an unknown or malformed id',
      async (method, suffix) => {
        const admin = await club.adminMember();
        for (const id of [randomUUID(), 'not-a-uuid', '1234']) {
          const res = await platform.api.request(method, `/api/v1/events/${id}${suffix}`, {
            token: admin.token,
            body: method === 'PATCH' ? { title: 'x' } : undefined,
          });
          expect([id, res.status, res.json?.code]).toEqual([id, 404, ErrorCode.EVENT_NOT_FOUND]);
        }
      },
    );
  });

  describe('GET /api/v1/events/{id}.ics', () => {
    it('answers the event as text/calendar in its time zone', async () => {
      const event = await club.event({
        title: 'Dinner',
        start_date: '2031-12-20T16:00:00.000Z',
        timezone: 'Europe/Moscow',
      });

      const res = await platform.api.get(`/api/v1/events/${event.id}.ics`);

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="event-${event.id}.ics"`,
      );
      expect(res.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
      expect(res.text).toContain('BEGIN:VEVENT');
      expect(res.text).toContain('BEGIN:VTIMEZONE');
      expect(res.text).toContain('DTSTART;TZID=Europe/Moscow:20311220T190000');
      expect(res.text).toContain('SUMMARY:Dinner');
    });
  });

  it('documents every Events route in the OpenAPI document', async () => {
    const res = await platform.api.get<{ paths: Record<string, Record<string, unknown>> }>(
      '/docs-json',
    );
    const routes = Object.entries(res.json.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/events/upcoming',
        'GET /api/v1/events/{event_id}',
        'POST /api/v1/events',
        'PATCH /api/v1/events/{event_id}',
        'DELETE /api/v1/events/{event_id}',
        'POST /api/v1/events/{event_id}/join',
        'DELETE /api/v1/events/{event_id}/join',
        'GET /api/v1/events/{event_id}/participants',
        'GET /api/v1/events/{event_id}.ics',
        'GET /api/users/me/events',
      ]),
    );
  });
});
