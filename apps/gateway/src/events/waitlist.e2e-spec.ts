import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  EventPage,
  EventParticipantsPage,
  EventView,
  MemberRole,
  WaitlistEntryView,
} from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, TestMember } from '../../test/factories/club.factory';
import { EventsController } from './events.controller';

describe(`${EventsController.name}: waitlist and cancellation`, () => {
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

  const join = (eventId: string, m: TestMember) =>
    platform.api.post(`/api/v1/events/${eventId}/join`, { token: m.token });
  const wait = (eventId: string, m: TestMember) =>
    platform.api.post<WaitlistEntryView & { code?: string }>(`/api/v1/events/${eventId}/waitlist`, {
      token: m.token,
    });

  it('EVENT_FULL says a waitlist is open; joining it answers 201 with the position, and 409s', async () => {
    const event = await club.event({ capacity: 1, price: 10 }, organizer);
    const [seated, first, second] = await Promise.all([
      club.member({ coins: 10 }),
      club.member({ coins: 10 }),
      club.member({ coins: 10 }),
    ]);
    expect((await wait(event.id, first)).json.code).toBe(ErrorCode.EVENT_NOT_FULL);
    expect((await join(event.id, seated)).status).toBe(201);

    const full = await join(event.id, first);
    expect([full.status, full.json.code, full.json.details]).toEqual([
      409,
      ErrorCode.EVENT_FULL,
      { waitlist_available: true },
    ]);
    const a = await wait(event.id, first);
    const b = await wait(event.id, second);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json).toEqual({
      event_id: event.id,
      user_id: first.id,
      position: 1,
      joined_waitlist_at: expect.any(String),
    });
    expect(b.json.position).toBe(2);
    expect((await wait(event.id, first)).json.code).toBe(ErrorCode.ALREADY_WAITLISTED);
    expect((await wait(event.id, seated)).json.code).toBe(ErrorCode.ALREADY_JOINED);

    const seen = await platform.api.get<EventView>(`/api/v1/events/${event.id}`, {
      token: second.token,
    });
    expect(seen.json).toMatchObject({ waitlist_count: 2, waitlist_position: 2, joined: false });
    const admin = await club.adminMember();
    const listed = await platform.api.get<EventParticipantsPage>(
      `/api/admin/events/${event.id}/participants`,
      { token: admin.token },
    );
    expect(listed.json.waitlist?.map((w) => [w.user_id, w.position])).toEqual([
      [first.id, 1],
      [second.id, 2],
    ]);

    // The seated member leaves: the first in line is promoted and pays.
    expect(
      (await platform.api.delete(`/api/v1/events/${event.id}/join`, { token: seated.token }))
        .status,
    ).toBe(204);
    const promoted = await platform.api.get<EventView>(`/api/v1/events/${event.id}`, {
      token: first.token,
    });
    expect(promoted.json).toMatchObject({ joined: true, waitlist_count: 1 });
    expect(await club.balanceOf(first.id)).toBe(0);

    const out = await platform.api.delete(`/api/v1/events/${event.id}/waitlist`, {
      token: second.token,
    });
    expect(out.status).toBe(204);
    const again = await platform.api.delete(`/api/v1/events/${event.id}/waitlist`, {
      token: second.token,
    });
    expect([again.status, again.json.code]).toEqual([409, ErrorCode.NOT_WAITLISTED]);
  });

  it('answers 404 for unknown or malformed ids, 401 without a token, 409 on an inactive event', async () => {
    const member = await club.member({ coins: 0 });
    expect((await wait(randomUUID(), member)).status).toBe(404);
    expect((await wait('not-a-uuid', member)).status).toBe(404);
    expect((await platform.api.post(`/api/v1/events/${randomUUID()}/waitlist`)).status).toBe(401);
    const event = await club.event({ capacity: 1, is_active: false }, organizer);
    const res = await wait(event.id, member);
    expect([res.status, res.json.code]).toEqual([409, ErrorCode.EVENT_NOT_JOINABLE]);
  });

  it('DELETE refunds the participants, releases the line, and /me/events shows each status', async () => {
    const event = await club.event({ capacity: 1, price: 7 }, organizer);
    const seated = await club.member({ coins: 7 });
    const waiting = await club.member({ coins: 7 });
    expect((await join(event.id, seated)).status).toBe(201);
    expect((await wait(event.id, waiting)).status).toBe(201);
    const mine = await platform.api.get<EventPage>('/api/users/me/events', {
      token: waiting.token,
    });
    expect(mine.json.events.find((e) => e.id === event.id)?.status).toBe('waitlisted');

    const other = await club.member({ role: MemberRole.ORGANIZER });
    const forbidden = await platform.api.delete(`/api/v1/events/${event.id}`, {
      token: other.token,
    });
    expect(forbidden.status).toBe(403);
    const res = await platform.api.delete(`/api/v1/events/${event.id}`, {
      token: organizer.token,
    });

    expect(res.status).toBe(204);
    expect(await club.balanceOf(seated.id)).toBe(7);
    expect(await club.balanceOf(waiting.id)).toBe(7);
    const seatedEvents = await platform.api.get<EventPage>('/api/users/me/events', {
      token: seated.token,
    });
    expect(seatedEvents.json.events.find((e) => e.id === event.id)).toMatchObject({
      status: 'cancelled',
      joined: false,
    });
    const waitingEvents = await platform.api.get<EventPage>('/api/users/me/events', {
      token: waiting.token,
    });
    expect(waitingEvents.json.events.map((e) => e.id)).not.toContain(event.id);
    const coins = await platform.api.get<{ transactions: { reason: string; amount: number }[] }>(
      '/api/users/me/coins',
      { token: seated.token },
    );
    expect(coins.json.transactions).toContainEqual(
      expect.objectContaining({ amount: 7, reason: `Event cancelled: ${event.title}` }),
    );
  });

  it('documents the waitlist routes in the OpenAPI document', async () => {
    const res = await platform.api.get<{ paths: Record<string, Record<string, unknown>> }>(
      '/docs-json',
    );
    const routes = Object.entries(res.json.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/v1/events/{event_id}/waitlist',
        'DELETE /api/v1/events/{event_id}/waitlist',
      ]),
    );
  });
});
