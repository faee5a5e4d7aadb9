import { ErrorCode, MemberRole, USERS } from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, TestMember } from '../../test/factories/club.factory';
import { StandingGuard } from './standing.guard';

/**
 * Powers follow the member's current role and activity, not the ones their access token was
 * issued with: every access token below stays valid for its whole TTL.
 */
describe(`${StandingGuard.name} (e2e)`, () => {
  let platform: Platform;
  let club: ClubFactory;
  let admin: TestMember;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'events'],
      env: ClubFactory.env,
    });
    club = new ClubFactory(platform);
    admin = await club.adminMember();
  }, 60_000);

  afterAll(() => platform?.close());

  const change = (memberId: string, changes: { role?: MemberRole; is_active?: boolean }) =>
    platform.bus.send(USERS.ADMIN_UPDATE, { member_id: memberId, ...changes, actor_id: admin.id });

  it('refuses a demoted admin’s next admin request', async () => {
    const other = await club.member({ role: MemberRole.ADMIN });
    const before = await platform.api.get('/api/admin/users', { token: other.token });
    expect(before.status).toBe(200);

    await change(other.id, { role: MemberRole.MEMBER });

    const after = await platform.api.get('/api/admin/users', { token: other.token });
    expect([after.status, after.json.code]).toEqual([403, ErrorCode.FORBIDDEN]);
    const write = await platform.api.patch(`/api/admin/users/${admin.id}`, {
      token: other.token,
      body: { coins_delta: 5, reason: 'Stale powers' },
    });
    expect(write.status).toBe(403);
  });

  it('refuses a deactivated admin’s admin requests and their writes to others’ events', async () => {
    const other = await club.member({ role: MemberRole.ADMIN });
    const event = await club.event();
    await change(other.id, { is_active: false });

    const read = await platform.api.get('/api/admin/events', { token: other.token });
    expect([read.status, read.json.code]).toEqual([403, ErrorCode.MEMBER_INACTIVE]);
    const edit = await platform.api.patch(`/api/v1/events/${event.id}`, {
      token: other.token,
      body: { title: 'Taken over' },
    });
    expect(edit.status).toBe(403);
    const cancel = await platform.api.delete(`/api/v1/events/${event.id}`, { token: other.token });
    expect(cancel.status).toBe(403);
  });

  it('refuses a deactivated organizer’s next event write', async () => {
    const organizer = await club.member({ role: MemberRole.ORGANIZER });
    const event = await club.event({}, organizer);
    await change(organizer.id, { is_active: false });

    const create = await platform.api.post('/api/v1/events', {
      token: organizer.token,
      body: { title: 'After hours', start_date: event.start_date, location: 'Moscow' },
    });
    expect([create.status, create.json.code]).toEqual([403, ErrorCode.MEMBER_INACTIVE]);
    const edit = await platform.api.patch(`/api/v1/events/${event.id}`, {
      token: organizer.token,
      body: { title: 'Still mine?' },
    });
    expect([edit.status, edit.json.code]).toEqual([403, ErrorCode.MEMBER_INACTIVE]);
  });

  it('lets a demoted organizer go on editing their own event, but not create one', async () => {
    const organizer = await club.member({ role: MemberRole.ORGANIZER });
    const event = await club.event({}, organizer);
    await change(organizer.id, { role: MemberRole.MEMBER });

    const create = await platform.api.post('/api/v1/events', {
      token: organizer.token,
      body: { title: 'Another', start_date: event.start_date, location: 'Moscow' },
    });
    expect(create.status).toBe(403);
    const edit = await platform.api.patch(`/api/v1/events/${event.id}`, {
      token: organizer.token,
      body: { title: 'Renamed' },
    });
    expect(edit.status).toBe(200);
  });
});
