import { randomUUID } from 'node:crypto';
import type { BusClient } from '@up/bus';
import { MemberRole, MemberStanding } from '@up/contracts';
import type { ProfileVersions } from '../members/profile-versions';
import { MemberStandings } from './member-standings';

function newTestStandings() {
  const memberId = randomUUID();
  const state = {
    redisVersion: 3 as number | undefined,
    users: {
      member_id: memberId,
      role: MemberRole.ADMIN,
      is_active: true,
      session_epoch: 0,
      version: 3,
    } as MemberStanding,
  };
  const send = jest.fn(async () => ({ ...state.users }));
  const versions = { current: jest.fn(async () => state.redisVersion) };
  const sut = new MemberStandings(
    { send } as unknown as BusClient,
    versions as unknown as ProfileVersions,
  );
  return { sut, memberId, state, send, versions };
}

describe(MemberStandings.name, () => {
  it('asks the users service once, then answers from memory while the version holds', async () => {
    const { sut, memberId, send, versions } = newTestStandings();
    await sut.of(memberId);
    const again = await sut.of(memberId);
    expect(again.role).toBe(MemberRole.ADMIN);
    expect(send).toHaveBeenCalledTimes(1);
    expect(versions.current).toHaveBeenCalledTimes(2);
  });

  it('asks again when the published version moved', async () => {
    const { sut, memberId, state, send } = newTestStandings();
    await sut.of(memberId);
    state.users = { ...state.users, role: MemberRole.MEMBER, version: 4 };
    state.redisVersion = 4;
    expect((await sut.of(memberId)).role).toBe(MemberRole.MEMBER);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('asks every time while the version is unknown (Redis away or key gone)', async () => {
    const { sut, memberId, state, send } = newTestStandings();
    state.redisVersion = undefined;
    await sut.of(memberId);
    await sut.of(memberId);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
