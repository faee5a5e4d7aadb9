import { ErrorCode, profileVersionKey, USERS } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { telegramId, telegramUserDto } from '../../test/factories/member.factory';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { ReferralsService } from '../referrals/referrals.service';
import { MembersService } from './members.service';

const ADMIN_TELEGRAM_ID = 777_000_001;

describe(MembersService.name, () => {
  let harness: UsersServiceHarness;
  let sut: MembersService;

  beforeAll(async () => {
    harness = await startUsersService({ ADMIN_TELEGRAM_IDS: `1, ${ADMIN_TELEGRAM_ID}` });
    sut = harness.get(MembersService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe('upsertTelegram', () => {
    it('creates the member on first contact, with Telegram names and a referral code', async () => {
      const dto = telegramUserDto({
        first_name: 'Ivan',
        last_name: 'Petrov',
        photo_url: 'https://t.me/i/userpic/1.jpg',
      });
      const result = await sut.upsertTelegram(dto);
      expect(result).toMatchObject({ created: true, referral_applied: false });
      expect(result.profile).toMatchObject({
        telegram_id: dto.telegram_id,
        username: dto.username,
        first_name: 'Ivan',
        full_name: 'Ivan Petrov',
        photo_url: 'https://t.me/i/userpic/1.jpg',
        email: null,
        role: 'member',
        up_coins: 0,
        last_login: null,
      });
      expect(result.profile.referral_code).toMatch(/^UP-[A-Z0-9]{6}$/);
      await expect(harness.profileVersionInRedis(result.profile.id)).resolves.toBe(result.version);
    });

    it('refreshes username, names and photo on later contacts, keeping the member', async () => {
      const dto = telegramUserDto();
      const first = await sut.upsertTelegram(dto);
      const second = await sut.upsertTelegram({
        ...dto,
        username: 'renamed_user',
        first_name: 'Ivan',
        last_name: 'Sidorov',
        photo_url: 'https://t.me/i/userpic/2.jpg',
      });
      expect(second.created).toBe(false);
      expect(second.profile).toMatchObject({
        id: first.profile.id,
        username: 'renamed_user',
        full_name: 'Ivan Sidorov',
        photo_url: 'https://t.me/i/userpic/2.jpg',
        referral_code: first.profile.referral_code,
      });
      expect(second.version).toBeGreaterThan(first.version);
      // Nothing new: nothing changes, the version stays.
      const third = await sut.upsertTelegram({
        ...dto,
        username: 'renamed_user',
        last_name: 'Sidorov',
      });
      expect(third.version).toBe(second.version);
    });

    it('keeps a full name the member chose over Telegram names', async () => {
      const dto = telegramUserDto();
      const { profile } = await sut.upsertTelegram(dto);
      await sut.updateProfile({ member_id: profile.id, full_name: 'My Chosen Name' });
      const refreshed = await sut.upsertTelegram({ ...dto, first_name: 'Other' });
      expect(refreshed.profile.full_name).toBe('My Chosen Name');
      expect(refreshed.profile.first_name).toBe('Other');
    });

    it('creates one member from ten concurrent first contacts', async () => {
      const dto = telegramUserDto();
      const results = await Promise.all(Array.from({ length: 10 }, () => sut.upsertTelegram(dto)));
      expect(new Set(results.map((r) => r.profile.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it('moves a username to the Telegram account presenting it now', async () => {
      const previousOwner = await sut.upsertTelegram(telegramUserDto({ username: 'Popular_Name' }));
      const newOwner = await sut.upsertTelegram(telegramUserDto({ username: 'popular_name' }));
      expect(newOwner.profile.username).toBe('popular_name');
      const { profile, version } = await sut.getProfile({ member_id: previousOwner.profile.id });
      expect(profile.username).toBeNull();
      expect(version).toBeGreaterThan(previousOwner.version);
    });

    it('makes members named in ADMIN_TELEGRAM_IDS admins', async () => {
      const { profile } = await sut.upsertTelegram(
        telegramUserDto({ telegram_id: ADMIN_TELEGRAM_ID }),
      );
      expect(profile.role).toBe('admin');
    });

    it('keeps a telegram id beyond 32 bits exact', async () => {
      const big = 8_999_999_999_999;
      const { profile } = await sut.upsertTelegram(telegramUserDto({ telegram_id: big }));
      expect(profile.telegram_id).toBe(big);
      await expect(sut.getByTelegramId({ telegram_id: big })).resolves.toMatchObject({
        profile: { id: profile.id },
      });
    });
  });

  describe('reads', () => {
    it('answers MEMBER_NOT_FOUND for unknown ids and telegram ids', async () => {
      await expect(
        errorCodeOf(sut.getProfile({ member_id: '00000000-0000-4000-8000-000000000000' })),
      ).resolves.toBe(ErrorCode.MEMBER_NOT_FOUND);
      await expect(errorCodeOf(sut.getByTelegramId({ telegram_id: telegramId() }))).resolves.toBe(
        ErrorCode.MEMBER_NOT_FOUND,
      );
    });

    it('restores a lost version key in Redis on the next read', async () => {
      const member = await harness.given.telegramMember();
      await expect(harness.profileVersionInRedis(member.id)).resolves.not.toBeNull();
      await harness.redis.del(profileVersionKey(harness.config.REDIS_KEY_PREFIX, member.id));
      const { version } = await sut.getProfile({ member_id: member.id });
      await expect(harness.profileVersionInRedis(member.id)).resolves.toBe(version);
    });

    it('over the bus: a malformed id is VALIDATION_FAILED, an unknown one MEMBER_NOT_FOUND (404)', async () => {
      await expect(
        harness.bus.send(USERS.GET_PROFILE, { member_id: 'not-a-uuid' }),
      ).rejects.toMatchObject({ code: ErrorCode.VALIDATION_FAILED, status: 400 });
      await expect(
        harness.bus.send(USERS.GET_PROFILE, { member_id: '00000000-0000-4000-8000-000000000000' }),
      ).rejects.toMatchObject({ code: ErrorCode.MEMBER_NOT_FOUND, status: 404 });
    });
  });

  describe('recordLogin', () => {
    it('sets last_login and grows the version', async () => {
      const member = await harness.given.telegramMember();
      const before = await sut.getProfile({ member_id: member.id });
      const after = await sut.recordLogin({ member_id: member.id });
      expect(after.profile.last_login).not.toBeNull();
      expect(after.version).toBeGreaterThan(before.version);
      await expect(harness.profileVersionInRedis(member.id)).resolves.toBe(after.version);
    });

    it('refuses a deactivated member: MEMBER_INACTIVE', async () => {
      const member = await harness.given.telegramMember();
      await harness.dataSource.query(`UPDATE users.members SET is_active = false WHERE id = $1`, [
        member.id,
      ]);
      await expect(errorCodeOf(sut.recordLogin({ member_id: member.id }))).resolves.toBe(
        ErrorCode.MEMBER_INACTIVE,
      );
    });

    it('refuses a deleted or unknown member: MEMBER_NOT_FOUND, and changes nothing', async () => {
      const member = await harness.given.telegramMember();
      await harness.dataSource.query(`UPDATE users.members SET deleted_at = now() WHERE id = $1`, [
        member.id,
      ]);
      const [before] = await harness.dataSource.query<{ version: number }[]>(
        `SELECT version FROM users.members WHERE id = $1`,
        [member.id],
      );
      await expect(errorCodeOf(sut.recordLogin({ member_id: member.id }))).resolves.toBe(
        ErrorCode.MEMBER_NOT_FOUND,
      );
      await expect(
        harness.dataSource.query(`SELECT version, last_login FROM users.members WHERE id = $1`, [
          member.id,
        ]),
      ).resolves.toEqual([{ version: before.version, last_login: null }]);
      await expect(
        errorCodeOf(sut.recordLogin({ member_id: '00000000-0000-4000-8000-000000000000' })),
      ).resolves.toBe(ErrorCode.MEMBER_NOT_FOUND);
    });

    it('makes a member ADMIN_TELEGRAM_IDS names admin at sign-in', async () => {
      const { profile } = await sut.upsertTelegram(
        telegramUserDto({ telegram_id: ADMIN_TELEGRAM_ID }),
      );
      await harness.dataSource.query(`UPDATE users.members SET role = 'member' WHERE id = $1`, [
        profile.id,
      ]);
      const signedIn = await sut.recordLogin({ member_id: profile.id });
      expect(signedIn.profile).toMatchObject({ role: 'admin' });
      expect(signedIn.profile.last_login).not.toBeNull();
      await expect(sut.getProfile({ member_id: profile.id })).resolves.toMatchObject({
        profile: { role: 'admin' },
        version: signedIn.version,
      });
      await expect(harness.profileVersionInRedis(profile.id)).resolves.toBe(signedIn.version);
    });
  });

  describe('updateProfile', () => {
    it('changes full_name, username and photo_url, and clears with null', async () => {
      const member = await harness.given.telegramMember();
      const updated = await sut.updateProfile({
        member_id: member.id,
        full_name: '  New Name ',
        username: 'new_handle_1',
        photo_url: 'https://example.org/me.png',
      });
      expect(updated.profile).toMatchObject({
        full_name: 'New Name',
        username: 'new_handle_1',
        photo_url: 'https://example.org/me.png',
      });
      const cleared = await sut.updateProfile({
        member_id: member.id,
        username: null,
        photo_url: null,
      });
      expect(cleared.profile).toMatchObject({ username: null, photo_url: null });
      expect(cleared.version).toBeGreaterThan(updated.version);
    });

    it("refuses another member's username, whatever its case: USERNAME_TAKEN", async () => {
      const holder = await harness.given.telegramMember({ username: 'Taken_Handle' });
      expect(holder.username).toBe('Taken_Handle');
      const member = await harness.given.telegramMember();
      await expect(
        errorCodeOf(sut.updateProfile({ member_id: member.id, username: 'taken_handle' })),
      ).resolves.toBe(ErrorCode.USERNAME_TAKEN);
    });

    it('validates the body on the bus (username format, photo URL)', async () => {
      const member = await harness.given.telegramMember();
      const error = await harness.bus
        .send(USERS.UPDATE_PROFILE, {
          member_id: member.id,
          username: 'no spaces!',
          photo_url: 'ftp://x',
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
      expect(JSON.stringify((error as { details: unknown }).details)).toMatch(/username/);
      expect(JSON.stringify((error as { details: unknown }).details)).toMatch(/photo_url/);
    });
  });

  describe('public profiles', () => {
    it('answers a batch in the order asked, leaving unknown ids out, with public fields only', async () => {
      const a = await harness.given.telegramMember();
      const b = await harness.given.emailMember();
      const profiles = await harness.get(ReferralsService).getPublicProfiles({
        member_ids: [b.id, '00000000-0000-4000-8000-000000000000', a.id],
      });
      expect(profiles.map((p) => p.id)).toEqual([b.id, a.id]);
      expect(Object.keys(profiles[0]).sort()).toEqual([
        'achievements_count',
        'created_at',
        'full_name',
        'id',
        'photo_url',
        'referral_code',
        'role',
      ]);
      expect(JSON.stringify(profiles)).not.toContain(b.email as string);
    });
  });
});
