import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  EventPage,
  EventParticipantsPage,
  MemberRole,
  SearchMembersResult,
  USERS,
} from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, inDays, TestMember } from '../../test/factories/club.factory';
import { AdminUsersController } from './admin-users.controller';

describe(AdminUsersController.name, () => {
  let platform: Platform;
  let club: ClubFactory;
  let admin: TestMember;
  let member: TestMember;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes', 'events'],
      env: ClubFactory.env,
    });
    club = new ClubFactory(platform);
    admin = await club.adminMember();
    member = await club.member({ coins: 20 });
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
  });

  describe('GET /api/admin/users', () => {
    it('searches members for an admin, with the total', async () => {
      const res = await platform.api.get<SearchMembersResult>('/api/admin/users', {
        token: admin.token,
        query: { search: 'member_', limit: 50, offset: 0 },
      });
      expect(res.status).toBe(200);
      expect(res.json.users.map((u) => u.id)).toContain(member.id);
      expect(res.json.total).toBeGreaterThanOrEqual(1);
      expect(res.json.users[0]).toHaveProperty('is_active');
    });

    it('answers 400 for a limit out of range', async () => {
      const res = await platform.api.get('/api/admin/users', {
        token: admin.token,
        query: { limit: 0 },
      });
      expect(res.status).toBe(400);
    });
  });

  describe('PATCH /api/admin/users/{id}', () => {
    it('adjusts coins with a reason, in the ledger', async () => {
      const res = await platform.api.patch('/api/admin/users/' + member.id, {
        token: admin.token,
        body: { coins_delta: 15, reason: 'Prize' },
      });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: member.id, up_coins: 35 });
      const { transactions } = await platform.bus.send(USERS.GET_COINS, {
        member_id: member.id,
        limit: 1,
        offset: 0,
      });
      expect(transactions[0]).toMatchObject({
        amount: 15,
        kind: 'admin_adjustment',
        reason: 'Prize',
      });
    });

    it('refuses a coin adjustment without a reason (400) and changes nothing', async () => {
      const res = await platform.api.patch(`/api/admin/users/${member.id}`, {
        token: admin.token,
        body: { coins_delta: 5 },
      });
      expect([res.status, res.json.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
      expect(await club.balanceOf(member.id)).toBe(35);
    });

    it('never takes a balance below zero (402)', async () => {
      const res = await platform.api.patch(`/api/admin/users/${member.id}`, {
        token: admin.token,
        body: { coins_delta: -1000, reason: 'Too much' },
      });
      expect(res.status).toBe(402);
    });

    it('changes the role and the activity', async () => {
      const target = await club.member();
      const res = await platform.api.patch(`/api/admin/users/${target.id}`, {
        token: admin.token,
        body: { role: MemberRole.ORGANIZER, is_active: false },
      });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ role: 'organizer', is_active: false });
    });

    it('ends every session of a member it deactivates', async () => {
      const registered = await platform.api.post<{ user: { id: string }; refresh_token: string }>(
        '/api/auth/register',
        {
          body: { email: 'leaving@example.com', password: 'long enough pw', full_name: 'Leaving' },
        },
      );
      expect(registered.status).toBe(201);

      const res = await platform.api.patch(`/api/admin/users/${registered.json.user.id}`, {
        token: admin.token,
        body: { is_active: false },
      });
      expect(res.status).toBe(200);

      const refresh = await platform.api.post('/api/auth/refresh', {
        body: { refresh_token: registered.json.refresh_token },
      });
      expect(refresh.status).toBe(401);
    });

    it('answers 404 for unknown and malformed ids', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
        const res = await platform.api.patch(`/api/admin/users/${id}`, {
          token: admin.token,
          body: { is_active: true },
        });
        expect(res.status).toBe(404);
      }
    });
  });

  describe('PATCH /api/admin/users/{id}: retried coin adjustments', () => {
    const adjust = (target: TestMember, body: object, headers: Record<string, string>) =>
      platform.api.patch<{ up_coins: number; code?: string }>(`/api/admin/users/${target.id}`, {
        token: admin.token,
        body,
        headers,
      });
    const adjustmentsOf = async (memberId: string) => {
      const { transactions } = await platform.bus.send(USERS.GET_COINS, {
        member_id: memberId,
        limit: 100,
        offset: 0,
      });
      return transactions.filter((t) => t.kind === 'admin_adjustment');
    };

    it('applies a request repeated with one Idempotency-Key once, and answers it alike', async () => {
      const target = await club.member();
      const headers = { 'idempotency-key': `retry-${randomUUID()}` };
      const first = await adjust(target, { coins_delta: 25, reason: 'Prize' }, headers);
      const again = await adjust(target, { coins_delta: 25, reason: 'Prize' }, headers);

      expect([first.status, again.status]).toEqual([200, 200]);
      expect([first.json.up_coins, again.json.up_coins]).toEqual([25, 25]);
      expect(await adjustmentsOf(target.id)).toHaveLength(1);
    });

    it('takes the X-Request-Id as the key when there is no Idempotency-Key', async () => {
      const target = await club.member();
      const headers = { 'x-request-id': `req-${randomUUID()}` };
      await adjust(target, { coins_delta: 7, reason: 'Prize' }, headers);
      const again = await adjust(target, { coins_delta: 7, reason: 'Prize' }, headers);

      expect([again.status, again.json.up_coins]).toEqual([200, 7]);
      expect(await adjustmentsOf(target.id)).toHaveLength(1);
    });

    it('refuses the key with another adjustment (409) and changes nothing', async () => {
      const target = await club.member();
      const headers = { 'idempotency-key': `retry-${randomUUID()}` };
      await adjust(target, { coins_delta: 10, reason: 'Prize' }, headers);
      for (const body of [
        { coins_delta: 11, reason: 'Prize' },
        { coins_delta: 10, reason: 'Another prize' },
      ]) {
        const res = await adjust(target, body, headers);
        expect([res.status, res.json.code]).toEqual([409, ErrorCode.IDEMPOTENCY_KEY_REUSED]);
      }
      expect(await club.balanceOf(target.id)).toBe(10);
    });

    it('keeps requests with different keys apart, and refuses a malformed key (400)', async () => {
      const target = await club.member();
      await adjust(target, { coins_delta: 1, reason: 'Prize' }, { 'idempotency-key': 'a-1' });
      await adjust(target, { coins_delta: 1, reason: 'Prize' }, { 'idempotency-key': 'a-2' });
      expect(await adjustmentsOf(target.id)).toHaveLength(2);

      const res = await adjust(
        target,
        { coins_delta: 1, reason: 'Prize' },
        { 'idempotency-key': 'x'.repeat(129) },
      );
      expect([res.status, res.json.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
      expect(await club.balanceOf(target.id)).toBe(2);
    });
  });

  describe('events administration', () => {
    it('lists inactive and past events too, and any event’s participants', async () => {
      const organizer = await club.member({ role: MemberRole.ORGANIZER });
      const past = await club.event({ start_date: inDays(-2) }, organizer);
      const inactive = await club.event({ is_active: false }, organizer);
      const open = await club.event({ price: 5 }, organizer);
      await platform.api.post(`/api/v1/events/${open.id}/join`, { token: member.token });

      const list = await platform.api.get<EventPage>('/api/admin/events', {
        token: admin.token,
        query: { limit: 100 },
      });
      const participants = await platform.api.get<EventParticipantsPage>(
        `/api/admin/events/${open.id}/participants`,
        { token: admin.token },
      );

      expect(list.status).toBe(200);
      expect(list.json.events.map((e) => e.id)).toEqual(
        expect.arrayContaining([past.id, inactive.id, open.id]),
      );
      expect(participants.json.participants.map((p) => p.id)).toEqual([member.id]);
      expect(participants.json.participants[0]).not.toHaveProperty('up_coins');
      const unknown = await platform.api.get('/api/admin/events/nope/participants', {
        token: admin.token,
      });
      expect(unknown.status).toBe(404);
    });
  });

  it.each([
    ['GET', '/api/admin/users'],
    ['PATCH', '/api/admin/users/00000000-0000-4000-8000-000000000000'],
    ['GET', '/api/admin/events'],
    ['GET', '/api/admin/events/00000000-0000-4000-8000-000000000000/participants'],
  ] as const)(
    '%s %s is 403 for organizers and members, 401 without a token',
    async (method, path) => {
      const organizer = await club.member({ role: MemberRole.ORGANIZER });
      for (const caller of [member, organizer]) {
        const res = await platform.api.request(method, path, {
          token: caller.token,
          body: method === 'PATCH' ? {} : undefined,
        });
        expect(res.status).toBe(403);
      }
      expect((await platform.api.request(method, path)).status).toBe(401);
    },
  );

  it('documents the administration routes in the OpenAPI document', async () => {
    const res = await platform.api.get<{ paths: Record<string, Record<string, unknown>> }>(
      '/docs-json',
    );
    const paths = res.json.paths;
    expect(Object.keys(paths['/api/admin/users'])).toContain('get');
    expect(Object.keys(paths['/api/admin/users/{member_id}'])).toContain('patch');
    expect(Object.keys(paths['/api/admin/events'])).toContain('get');
    expect(Object.keys(paths['/api/admin/events/{event_id}/participants'])).toContain('get');
  });
});
