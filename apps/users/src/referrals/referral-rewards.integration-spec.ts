import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { MembersService } from '../members/members.service';
import { telegramUserDto } from '../../test/factories/member.factory';
import { ReferralRewards } from './referral-rewards';
import { ReferralRewardsSweep } from './referral-rewards.sweep';

const REWARD = 50;
const PER_DAY = 2;

describe(ReferralRewards.name, () => {
  let harness: UsersServiceHarness;

  beforeAll(async () => {
    harness = await startUsersService({
      REFERRAL_REWARD_COINS: String(REWARD),
      REFERRAL_REWARDS_PER_DAY: String(PER_DAY),
      REFERRAL_SWEEP_INTERVAL_MS: '0',
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  const coinsOf = async (memberId: string) =>
    (await harness.get(MembersService).getProfile({ member_id: memberId })).profile.up_coins;

  /** Moves today's payments to yesterday, as if the day had passed. */
  const nextDay = () =>
    harness.dataSource.query(
      `UPDATE users.referral_rewards SET paid_at = paid_at - interval '1 day' WHERE paid_at IS NOT NULL`,
    );

  it('pays Telegram referees at once up to the day’s cap; the sweep pays the rest on a later day', async () => {
    const referrer = await harness.given.telegramMember();
    for (let i = 0; i < PER_DAY + 3; i++) {
      await harness
        .get(MembersService)
        .upsertTelegram(telegramUserDto({ referral_code: referrer.referral_code }));
    }
    expect(await coinsOf(referrer.id)).toBe(PER_DAY * REWARD);
    const sweep = harness.get(ReferralRewardsSweep);
    await expect(sweep.sweepOnce()).resolves.toBe(0);

    await nextDay();
    await expect(sweep.sweepOnce()).resolves.toBe(PER_DAY);
    expect(await coinsOf(referrer.id)).toBe(2 * PER_DAY * REWARD);
    await nextDay();
    await expect(sweep.sweepOnce()).resolves.toBe(1);
    expect(await coinsOf(referrer.id)).toBe((2 * PER_DAY + 1) * REWARD);
    await expect(sweep.sweepOnce()).resolves.toBe(0);
  });

  it('pays an email referee only once their email is verified, and once', async () => {
    const referrer = await harness.given.telegramMember();
    const referee = await harness.given.emailMember({ referral_code: referrer.referral_code });
    expect(await coinsOf(referrer.id)).toBe(0);
    await harness.get(ReferralRewardsSweep).sweepOnce();
    expect(await coinsOf(referrer.id)).toBe(0);
    await harness.given.verifyEmail(referee.id);
    expect(await coinsOf(referrer.id)).toBe(REWARD);
    await harness.given.verifyEmail(referee.id);
    expect(await coinsOf(referrer.id)).toBe(REWARD);
  });
});
