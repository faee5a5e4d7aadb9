import { ErrorCode, PrivateProfile, USERS } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { uniqueToken } from '../../test/factories/member.factory';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { CoinsService } from '../coins/coins.service';
import { MembersService } from '../members/members.service';
import { escapeLike, MEMBER_SEARCH_TEXT_SQL } from '../members/members.repository';
import { AdminService } from './admin.service';

describe(AdminService.name, () => {
  let harness: UsersServiceHarness;
  let sut: AdminService;
  let admin: PrivateProfile;

  beforeAll(async () => {
    harness = await startUsersService();
    sut = harness.get(AdminService);
    admin = await harness.given.emailMember();
    await harness.dataSource.query(`UPDATE users.members SET role = 'admin' WHERE id = $1`, [
      admin.id,
    ]);
  });

  afterAll(async () => {
    await harness?.close();
  });

  describe('search', () => {
    it('finds members by email, username, names (any case, substring) and exact telegram id', async () => {
      const token = uniqueToken();
      const byEmail = await harness.given.emailMember({ email: `needle${token}@example.org` });
      const byName = await harness.given.emailMember({ full_name: `Anna Needle${token}` });
      const byUsername = await harness.given.telegramMember({ username: `xNeedle${token}` });
      const byLastName = await harness.given.telegramMember({ last_name: `NEEDLE${token}x` });
      await harness.given.telegramMember(); // not a match

      const result = await sut.search({ search: `NEEDLE${token}`.toLowerCase() });
      expect(result.users.map((u) => u.id).sort()).toEqual(
        [byEmail.id, byName.id, byUsername.id, byLastName.id].sort(),
      );
      expect(result.total).toBe(4);
      expect(result.users[0]).toHaveProperty('is_active', true);

      const byTelegramId = await sut.search({ search: String(byUsername.telegram_id) });
      expect(byTelegramId.users.map((u) => u.id)).toEqual([byUsername.id]);
    });

    it('pages newest first with the total of all matches', async () => {
      const token = uniqueToken();
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        created.push((await harness.given.telegramMember({ last_name: `Pager${token}` })).id);
      }
      const page1 = await sut.search({ search: `pager${token}`, limit: 2, offset: 0 });
      const page3 = await sut.search({ search: `pager${token}`, limit: 2, offset: 4 });
      expect(page1).toMatchObject({ total: 5, limit: 2, offset: 0 });
      expect(page1.users.map((u) => u.id)).toEqual([created[4], created[3]]);
      expect(page3.users.map((u) => u.id)).toEqual([created[0]]);
    });

    it('treats % and _ in the search as the characters themselves', async () => {
      expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
      const all = await sut.search({ search: '%' });
      expect(all.total).toBe(0);
    });

    it('lists everyone without a search', async () => {
      const [{ count }] = await harness.dataSource.query(
        `SELECT count(*)::int AS count FROM users.members`,
      );
      await expect(sut.search({ limit: 1 })).resolves.toMatchObject({ total: count });
    });

    it('uses the trigram index for substring search', async () => {
      // Planned as the table would be at scale (the test table is tiny, so forbid seq scans).
      const plan = await harness.dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL enable_seqscan = off`);
        return manager.query(
          `EXPLAIN SELECT m.id FROM users.members m WHERE ${MEMBER_SEARCH_TEXT_SQL} LIKE '%needle%'`,
        );
      });
      expect(JSON.stringify(plan)).toContain('members_search_trgm_idx');
    });
  });

  describe('update', () => {
    it('changes role and activity, growing the version', async () => {
      const member = await harness.given.telegramMember();
      const before = await harness.get(MembersService).getProfile({ member_id: member.id });
      const result = await sut.update({
        member_id: member.id,
        actor_id: admin.id,
        role: 'organizer',
        is_active: false,
      });
      expect(result.profile).toMatchObject({ role: 'organizer', is_active: false });
      expect(result.version).toBeGreaterThan(before.version);
      await expect(harness.profileVersionInRedis(member.id)).resolves.toBe(result.version);
    });

    it('writes a coin adjustment to the ledger with its reason and the administrator', async () => {
      const member = await harness.given.telegramMember();
      const result = await sut.update({
        member_id: member.id,
        actor_id: admin.id,
        coins_delta: 120,
        reason: 'Prize for the quiz',
      });
      expect(result.profile.up_coins).toBe(120);
      await sut.update({
        member_id: member.id,
        actor_id: admin.id,
        coins_delta: -20,
        reason: 'Correction',
      });
      const [row] = await harness.dataSource.query(
        `SELECT amount, balance_after, kind, reason, actor_id, idempotency_key
           FROM users.coin_transactions WHERE member_id = $1 ORDER BY created_at, balance_after DESC LIMIT 1`,
        [member.id],
      );
      expect(row).toMatchObject({
        amount: 120,
        balance_after: 120,
        kind: 'admin_adjustment',
        reason: 'Prize for the quiz',
        actor_id: admin.id,
      });
      expect(row.idempotency_key).toMatch(/^admin:[0-9a-f-]{36}$/);
      const coins = await harness.get(CoinsService).getCoins({ member_id: member.id });
      expect(coins).toMatchObject({ balance: 100, total: 2 });
    });

    it('never takes a balance below zero: INSUFFICIENT_COINS, and the other changes are not applied', async () => {
      const member = await harness.given.telegramMember();
      await harness.given.coins(member.id, 10);
      await expect(
        errorCodeOf(
          sut.update({
            member_id: member.id,
            actor_id: admin.id,
            role: 'organizer',
            coins_delta: -11,
            reason: 'Too much',
          }),
        ),
      ).resolves.toBe(ErrorCode.INSUFFICIENT_COINS);
      const { profile } = await harness.get(MembersService).getProfile({ member_id: member.id });
      expect(profile).toMatchObject({ role: 'member', up_coins: 10 });
    });

    it('applies a coin adjustment once per given idempotency key', async () => {
      const member = await harness.given.telegramMember();
      const dto = {
        member_id: member.id,
        actor_id: admin.id,
        coins_delta: 5,
        reason: 'Retry-safe',
        idempotency_key: `admin:${uniqueToken()}`,
      };
      await sut.update(dto);
      const again = await sut.update(dto);
      expect(again.profile.up_coins).toBe(5);
    });

    it('requires a reason with coins_delta (bus validation) and refuses unknown members', async () => {
      const member = await harness.given.telegramMember();
      await expect(
        harness.bus.send(USERS.ADMIN_UPDATE, {
          member_id: member.id,
          actor_id: admin.id,
          coins_delta: 5,
        }),
      ).rejects.toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
      await expect(
        errorCodeOf(
          sut.update({
            member_id: '00000000-0000-4000-8000-000000000000',
            actor_id: admin.id,
            role: 'admin',
          }),
        ),
      ).resolves.toBe(ErrorCode.MEMBER_NOT_FOUND);
    });

    it('refuses an administrator deactivating or demoting themself, and non-admin actors: FORBIDDEN', async () => {
      await expect(
        errorCodeOf(sut.update({ member_id: admin.id, actor_id: admin.id, is_active: false })),
      ).resolves.toBe(ErrorCode.FORBIDDEN);
      await expect(
        errorCodeOf(sut.update({ member_id: admin.id, actor_id: admin.id, role: 'member' })),
      ).resolves.toBe(ErrorCode.FORBIDDEN);
      const plain = await harness.given.telegramMember();
      const target = await harness.given.telegramMember();
      await expect(
        errorCodeOf(sut.update({ member_id: target.id, actor_id: plain.id, role: 'admin' })),
      ).resolves.toBe(ErrorCode.FORBIDDEN);
    });
  });
});
