import { ErrorCode, NotificationPreferences, USERS } from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';
import { ClubFactory, TestMember } from '../../test/factories/club.factory';
import { MembersController } from './members.controller';

describe(`${MembersController.name}: notifications`, () => {
  let platform: Platform;
  let club: ClubFactory;
  let member: TestMember;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: ClubFactory.env,
    });
    club = new ClubFactory(platform);
    member = await club.member();
  }, 60_000);

  afterAll(async () => {
    await platform?.close();
  });

  const get = () =>
    platform.api.get<NotificationPreferences>('/api/users/me/notifications', {
      token: member.token,
    });

  it('answers the caller’s switches, both on at first', async () => {
    const res = await get();
    expect([res.status, res.json]).toEqual([200, { announcements: true, reminders: true }]);
  });

  it('changes only the switches given and answers the new settings', async () => {
    const res = await platform.api.patch('/api/users/me/notifications', {
      token: member.token,
      body: { reminders: false },
    });
    expect([res.status, res.json]).toEqual([200, { announcements: true, reminders: false }]);
    expect((await get()).json).toEqual({ announcements: true, reminders: false });
    // What the bot reads for the same member.
    await expect(
      platform.bus.send(USERS.GET_NOTIFICATION_SETTINGS, { member_id: member.id }),
    ).resolves.toMatchObject({ announcements: true, reminders: false });
  });

  it('refuses a switch that is not a boolean (400, with the field) and changes nothing', async () => {
    const res = await platform.api.patch('/api/users/me/notifications', {
      token: member.token,
      body: { announcements: 'no' },
    });
    expect([res.status, res.json.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    expect(res.json.fields).toHaveProperty('announcements');
    expect((await get()).json).toEqual({ announcements: true, reminders: false });
  });

  it('answers 401 without a token', async () => {
    expect((await platform.api.get('/api/users/me/notifications')).status).toBe(401);
    expect(
      (await platform.api.patch('/api/users/me/notifications', { body: { reminders: true } }))
        .status,
    ).toBe(401);
  });
});
