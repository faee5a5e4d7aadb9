import { AchievementCode, ErrorCode, USERS } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { registerMemberDto, telegramUserDto } from '../../test/factories/member.factory';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { AchievementsService } from '../achievements/achievements.service';
import { CoinsService } from '../coins/coins.service';
import { CredentialsService } from '../credentials/credentials.service';
import { MembersService } from '../members/members.service';
import { referralRewardKey } from './referral-rewards';
import { ReferralsService } from './referrals.service';

const REWARD = 50;

describe(ReferralsService.name, () => {
  let harness: UsersServiceHarness;
  let sut: ReferralsService;
  let members: MembersService;

  beforeAll(async () => {
    harness = await startUsersService({ REFERRAL_REWARD_COINS: String(REWARD) });
    sut = harness.get(ReferralsService);
    members = harness.get(MembersService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function achievementsOf(memberId: string): Promise<string[]> {
    const rows: { code: string }[] = await harness.dataSource.query(
      `SELECT code FROM users.achievements WHERE member_id = $1 ORDER BY code`,
      [memberId],
    );
    return rows.map((r) => r.code);
  }

  describe('attribution at creation', () => {
    it('records the referrer of a bot /start with a code, rewards them once in the ledger, awards first_referral', async () => {
      const referrer = await harness.given.telegramMember();
      const before = await members.getProfile({ member_id: referrer.id });
      const referee = await members.upsertTelegram(
        telegramUserDto({ referral_code: referrer.referral_code.toLowerCase() }),
      );
      expect(referee).toMatchObject({ created: true, referral_applied: true });
      expect(referee.profile.referred_by).toBe(referrer.id);

      const after = await members.getProfile({ member_id: referrer.id });
      expect(after.profile).toMatchObject({ up_coins: REWARD, achievements_count: 1 });
      expect(after.version).toBeGreaterThan(before.version);
      await expect(harness.profileVersionInRedis(referrer.id)).resolves.toBe(after.version);
      const coins = await harness.get(CoinsService).getCoins({ member_id: referrer.id });
      expect(coins.transactions).toEqual([
        expect.objectContaining({ amount: REWARD, balance_after: REWARD, kind: 'referral_reward' }),
      ]);
      const [ledger] = await harness.dataSource.query(
        `SELECT idempotency_key FROM users.coin_transactions WHERE member_id = $1`,
        [referrer.id],
      );
      expect(ledger.idempotency_key).toBe(referralRewardKey(referee.profile.id));
      await expect(achievementsOf(referrer.id)).resolves.toEqual([AchievementCode.FIRST_REFERRAL]);
    });

    // Issue 10: an email sign-up's reward is paid when the email is verified, not at registration.
    it('attributes an email registration with a code, rewarding at verification; the second referral rewards again, first_referral stays one', async () => {
      const referrer = await harness.given.emailMember();
      const credentials = harness.get(CredentialsService);
      const one = await credentials.register(
        registerMemberDto({ referral_code: referrer.referral_code }),
      );
      const two = await credentials.register(
        registerMemberDto({ referral_code: referrer.referral_code }),
      );
      expect([one.profile.referred_by, two.profile.referred_by]).toEqual([
        referrer.id,
        referrer.id,
      ]);
      await expect(members.getProfile({ member_id: referrer.id })).resolves.toMatchObject({
        profile: { up_coins: 0, achievements_count: 0 },
      });
      await harness.given.verifyEmail(one.profile.id);
      await harness.given.verifyEmail(two.profile.id);
      await harness.given.verifyEmail(two.profile.id);
      const { profile } = await members.getProfile({ member_id: referrer.id });
      expect(profile).toMatchObject({ up_coins: 2 * REWARD, achievements_count: 1 });
      await expect(achievementsOf(referrer.id)).resolves.toEqual([AchievementCode.FIRST_REFERRAL]);
    });

    it('attributes only at creation: a known member coming back with a code is not referred', async () => {
      const referrer = await harness.given.telegramMember();
      const dto = telegramUserDto();
      await members.upsertTelegram(dto);
      const again = await members.upsertTelegram({ ...dto, referral_code: referrer.referral_code });
      expect(again).toMatchObject({ created: false, referral_applied: false });
      expect(again.profile.referred_by).toBeNull();
      await expect(members.getProfile({ member_id: referrer.id })).resolves.toMatchObject({
        profile: { up_coins: 0 },
      });
    });

    it('never refers a member to themself: their own code on a later /start changes nothing', async () => {
      const dto = telegramUserDto();
      const { profile } = await members.upsertTelegram(dto);
      const again = await members.upsertTelegram({ ...dto, referral_code: profile.referral_code });
      expect(again.profile.referred_by).toBeNull();
      expect(again.profile.up_coins).toBe(0);
      // The database refuses it too.
      await expect(
        harness.dataSource.query(`UPDATE users.members SET referred_by = id WHERE id = $1`, [
          profile.id,
        ]),
      ).rejects.toThrow(/members_not_self_referred_check/);
    });

    it('creates the bot member anyway when the code names nobody or is not a code', async () => {
      for (const code of ['UP-000000', 'hello', 'login']) {
        const result = await members.upsertTelegram(telegramUserDto({ referral_code: code }));
        expect(result).toMatchObject({ created: true, referral_applied: false });
        expect(result.profile.referred_by).toBeNull();
      }
    });

    it('ignores a deactivated member’s code', async () => {
      const referrer = await harness.given.telegramMember();
      await harness.dataSource.query(`UPDATE users.members SET is_active = false WHERE id = $1`, [
        referrer.id,
      ]);
      const result = await members.upsertTelegram(
        telegramUserDto({ referral_code: referrer.referral_code }),
      );
      expect(result.referral_applied).toBe(false);
    });

    // Issue 10 added REFERRAL_REWARDS_PER_DAY (10 by default): the other 10 wait for a later day.
    it('counts exactly one reward per referee, at most the day’s cap, when 20 referees arrive at once', async () => {
      const referrer = await harness.given.telegramMember();
      await Promise.all(
        Array.from({ length: 20 }, () =>
          members.upsertTelegram(telegramUserDto({ referral_code: referrer.referral_code })),
        ),
      );
      const { profile } = await members.getProfile({ member_id: referrer.id });
      expect(profile).toMatchObject({ up_coins: 10 * REWARD, achievements_count: 1 });
      const listed = await sut.listReferrals({ member_id: referrer.id });
      expect(listed.count).toBe(20);
    });
  });

  describe('public profile by referral code', () => {
    it('answers the public view of an active member, any letter case', async () => {
      const member = await harness.given.emailMember();
      const profile = await sut.getPublicByReferralCode({
        referral_code: member.referral_code.toLowerCase(),
      });
      expect(profile).toEqual({
        id: member.id,
        full_name: member.full_name,
        role: 'member',
        created_at: member.created_at,
        achievements_count: 0,
        referral_code: member.referral_code,
        photo_url: null,
      });
    });

    it('answers REFERRAL_CODE_NOT_FOUND for unknown and malformed codes, also over the bus', async () => {
      for (const code of ['UP-000000', 'UP-1', 'nonsense', '']) {
        await expect(
          errorCodeOf(sut.getPublicByReferralCode({ referral_code: code })),
        ).resolves.toBe(ErrorCode.REFERRAL_CODE_NOT_FOUND);
      }
      await expect(
        harness.bus.send(USERS.GET_PUBLIC_BY_REFERRAL_CODE, { referral_code: 'bad code' }),
      ).rejects.toMatchObject({ code: ErrorCode.REFERRAL_CODE_NOT_FOUND, status: 404 });
    });
  });

  describe('listReferrals', () => {
    it('lists the members a member brought in, oldest first, as public profiles', async () => {
      const referrer = await harness.given.telegramMember();
      const first = await harness.given.telegramMember({ referral_code: referrer.referral_code });
      const second = await harness.given.telegramMember({ referral_code: referrer.referral_code });
      const result = await sut.listReferrals({ member_id: referrer.id });
      expect(result.count).toBe(2);
      expect(result.referrals.map((r) => r.id)).toEqual([first.id, second.id]);
      expect(JSON.stringify(result)).not.toContain('telegram_id');
    });

    it('answers MEMBER_NOT_FOUND for an unknown member', async () => {
      await expect(
        errorCodeOf(sut.listReferrals({ member_id: '00000000-0000-4000-8000-000000000000' })),
      ).resolves.toBe(ErrorCode.MEMBER_NOT_FOUND);
    });
  });
});

describe(AchievementsService.name, () => {
  let harness: UsersServiceHarness;
  let sut: AchievementsService;

  beforeAll(async () => {
    harness = await startUsersService();
    sut = harness.get(AchievementsService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('awards once: the second award answers awarded false; the count and version follow', async () => {
    const member = await harness.given.telegramMember();
    const members = harness.get(MembersService);
    const before = await members.getProfile({ member_id: member.id });
    await expect(
      sut.award({ member_id: member.id, code: AchievementCode.FIRST_EVENT }),
    ).resolves.toEqual({
      awarded: true,
      code: 'first_event',
    });
    await expect(
      sut.award({ member_id: member.id, code: AchievementCode.FIRST_EVENT }),
    ).resolves.toEqual({
      awarded: false,
      code: 'first_event',
    });
    const after = await members.getProfile({ member_id: member.id });
    expect(after.profile.achievements_count).toBe(1);
    expect(after.version).toBe(before.version + 1);
  });

  it('awards once under 10 concurrent awards', async () => {
    const member = await harness.given.telegramMember();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        sut.award({ member_id: member.id, code: AchievementCode.FIRST_EVENT }),
      ),
    );
    expect(results.filter((r) => r.awarded)).toHaveLength(1);
    const { profile } = await harness.get(MembersService).getProfile({ member_id: member.id });
    expect(profile.achievements_count).toBe(1);
  });

  it('answers MEMBER_NOT_FOUND for unknown members and VALIDATION_FAILED for unknown codes (bus)', async () => {
    await expect(
      errorCodeOf(
        sut.award({
          member_id: '00000000-0000-4000-8000-000000000000',
          code: AchievementCode.FIRST_EVENT,
        }),
      ),
    ).resolves.toBe(ErrorCode.MEMBER_NOT_FOUND);
    const member = await harness.given.telegramMember();
    await expect(
      harness.bus.send(USERS.AWARD_ACHIEVEMENT, {
        member_id: member.id,
        code: 'world_champion' as AchievementCode,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
  });
});
