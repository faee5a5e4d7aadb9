import { ErrorCode, USERS } from '@up/contracts';
import { errorCodeOf } from '@up/testing';
import { coinChangeDto } from '../../test/factories/member.factory';
import { startUsersService, UsersServiceHarness } from '../../test/users-service.harness';
import { MembersService } from '../members/members.service';
import { CoinLedger } from './coin-ledger';
import { CoinsService } from './coins.service';

interface LedgerSummary {
  rows: number;
  sum: number;
  balance: number;
}

describe(CoinsService.name, () => {
  let harness: UsersServiceHarness;
  let sut: CoinsService;

  beforeAll(async () => {
    harness = await startUsersService({ DATABASE_POOL_SIZE: '10' });
    sut = harness.get(CoinsService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** The ledger must always explain the balance: sum of amounts = balance. */
  async function ledgerOf(memberId: string): Promise<LedgerSummary> {
    const [row] = await harness.dataSource.query(
      `SELECT (SELECT count(*)::int FROM users.coin_transactions WHERE member_id = $1) AS rows,
              (SELECT coalesce(sum(amount), 0)::int FROM users.coin_transactions WHERE member_id = $1) AS sum,
              (SELECT up_coins FROM users.members WHERE id = $1) AS balance`,
      [memberId],
    );
    return row;
  }

  it('credits and debits, each a ledger row with the balance after it', async () => {
    const member = await harness.given.telegramMember();
    const credit = await sut.credit(coinChangeDto(member.id, { amount: 30 }));
    const debit = await sut.debit(coinChangeDto(member.id, { amount: 12 }));
    expect(credit).toMatchObject({ balance: 30, applied: true });
    expect(debit).toMatchObject({ balance: 18, applied: true });
    expect(debit.transaction_id).not.toBe(credit.transaction_id);
    await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 2, sum: 18, balance: 18 });
  });

  it('refuses a debit below zero with INSUFFICIENT_COINS and changes nothing', async () => {
    const member = await harness.given.telegramMember();
    await harness.given.coins(member.id, 5);
    const before = await harness.get(MembersService).getProfile({ member_id: member.id });
    const error = await sut
      .debit(coinChangeDto(member.id, { amount: 10 }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: ErrorCode.INSUFFICIENT_COINS,
      status: 402,
      details: { balance: 5, required: 10 },
    });
    const after = await harness.get(MembersService).getProfile({ member_id: member.id });
    expect(after.version).toBe(before.version);
    await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 1, sum: 5, balance: 5 });
  });

  it('answers a repeated key as the first time and changes nothing', async () => {
    const member = await harness.given.telegramMember();
    await harness.given.coins(member.id, 100);
    const dto = coinChangeDto(member.id, { amount: 10, idempotency_key: `join:e1:${member.id}` });
    const first = await sut.debit(dto);
    await sut.debit(coinChangeDto(member.id, { amount: 1 })); // the balance moves on meanwhile
    const again = await sut.debit(dto);
    expect(first).toEqual({ balance: 90, transaction_id: first.transaction_id, applied: true });
    expect(again).toEqual({ balance: 90, transaction_id: first.transaction_id, applied: false });
    await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 3, sum: 89, balance: 89 });
  });

  it('answers a repeat as the first time even once the balance could no longer pay', async () => {
    const member = await harness.given.telegramMember();
    await harness.given.coins(member.id, 10);
    const dto = coinChangeDto(member.id, { amount: 10 });
    const first = await sut.debit(dto);
    await expect(sut.debit(dto)).resolves.toEqual({ ...first, applied: false });
  });

  it('refuses a key reused for another member, amount or direction: IDEMPOTENCY_KEY_REUSED', async () => {
    const member = await harness.given.telegramMember();
    const other = await harness.given.telegramMember();
    await harness.given.coins(member.id, 100);
    await harness.given.coins(other.id, 100);
    const dto = coinChangeDto(member.id, { amount: 10 });
    await sut.debit(dto);
    await expect(errorCodeOf(sut.debit({ ...dto, amount: 11 }))).resolves.toBe(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
    );
    await expect(errorCodeOf(sut.debit({ ...dto, member_id: other.id }))).resolves.toBe(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
    );
    await expect(errorCodeOf(sut.credit(dto))).resolves.toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    await expect(ledgerOf(member.id)).resolves.toMatchObject({ balance: 90 });
    await expect(ledgerOf(other.id)).resolves.toMatchObject({ balance: 100 });
  });

  it('refuses unknown members (MEMBER_NOT_FOUND) and debits of deactivated ones (MEMBER_INACTIVE)', async () => {
    await expect(
      errorCodeOf(sut.credit(coinChangeDto('00000000-0000-4000-8000-000000000000'))),
    ).resolves.toBe(ErrorCode.MEMBER_NOT_FOUND);
    const member = await harness.given.telegramMember();
    await harness.given.coins(member.id, 50);
    await harness.dataSource.query(`UPDATE users.members SET is_active = false WHERE id = $1`, [
      member.id,
    ]);
    await expect(errorCodeOf(sut.debit(coinChangeDto(member.id)))).resolves.toBe(
      ErrorCode.MEMBER_INACTIVE,
    );
    // Refunds still reach a deactivated member.
    await expect(sut.credit(coinChangeDto(member.id))).resolves.toMatchObject({ balance: 60 });
  });

  it('100 concurrent debits of 10 on a balance of 500: exactly 50 succeed, the ledger agrees', async () => {
    const member = await harness.given.telegramMember();
    await harness.given.coins(member.id, 500);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => sut.debit(coinChangeDto(member.id, { amount: 10 }))),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(50);
    expect(new Set(refused.map((r) => (r.reason as { code: string }).code))).toEqual(
      new Set([ErrorCode.INSUFFICIENT_COINS]),
    );
    await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 51, sum: 0, balance: 0 });
    const balances = ok.map(
      (r) => (r as PromiseFulfilledResult<{ balance: number }>).value.balance,
    );
    expect(new Set(balances).size).toBe(50); // each debit saw its own balance
  });

  it('200 concurrent debits on 200 members: each applied once, other balances untouched', async () => {
    const members = await Promise.all(
      Array.from({ length: 200 }, () => harness.given.telegramMember()),
    );
    await Promise.all(members.map((m) => harness.given.coins(m.id, 25)));
    const bystander = await harness.given.telegramMember();
    await harness.given.coins(bystander.id, 25);
    const results = await Promise.all(
      members.map((m) =>
        sut.debit(coinChangeDto(m.id, { amount: 10, idempotency_key: `join:big:${m.id}` })),
      ),
    );
    expect(results.every((r) => r.applied && r.balance === 15)).toBe(true);
    const [{ total }] = await harness.dataSource.query(
      `SELECT count(*)::int AS total FROM users.coin_transactions WHERE idempotency_key LIKE 'join:big:%'`,
    );
    expect(total).toBe(200);
    await expect(ledgerOf(bystander.id)).resolves.toEqual({ rows: 1, sum: 25, balance: 25 });
  });

  it('20 concurrent repeats of one key: applied once, every answer the same transaction', async () => {
    const member = await harness.given.telegramMember();
    await harness.given.coins(member.id, 100);
    const dto = coinChangeDto(member.id, { amount: 10 });
    const results = await Promise.all(Array.from({ length: 20 }, () => sut.debit(dto)));
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transaction_id)).size).toBe(1);
    expect(new Set(results.map((r) => r.balance))).toEqual(new Set([90]));
    await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 2, sum: 90, balance: 90 });
  });

  it('pages the ledger newest first with the balance and total', async () => {
    const member = await harness.given.telegramMember();
    for (let i = 1; i <= 5; i++) {
      await sut.credit(coinChangeDto(member.id, { amount: i, reason: `Credit ${i}` }));
    }
    const page = await sut.getCoins({ member_id: member.id, limit: 2, offset: 1 });
    expect(page).toMatchObject({ balance: 15, total: 5, limit: 2, offset: 1 });
    expect(page.transactions.map((t) => t.reason)).toEqual(['Credit 4', 'Credit 3']);
    expect(page.transactions[0]).toEqual({
      id: expect.any(String),
      amount: 4,
      balance_after: 10,
      kind: 'credit',
      reason: 'Credit 4',
      created_at: expect.stringMatching(/Z$/),
    });
    const defaults = await sut.getCoins({ member_id: member.id });
    expect(defaults).toMatchObject({ limit: 20, offset: 0 });
  });

  it('bumps the profile version with each balance change and publishes it to Redis', async () => {
    const member = await harness.given.telegramMember();
    const before = await harness.get(MembersService).getProfile({ member_id: member.id });
    await sut.credit(coinChangeDto(member.id, { amount: 7 }));
    const after = await harness.get(MembersService).getProfile({ member_id: member.id });
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.profile.up_coins).toBe(7);
    await expect(harness.profileVersionInRedis(member.id)).resolves.toBe(after.version);
  });

  it('over the bus: validation of amounts and INSUFFICIENT_COINS as 402', async () => {
    const member = await harness.given.telegramMember();
    const invalid = await harness.bus
      .send(USERS.DEBIT_COINS, { ...coinChangeDto(member.id), amount: 0 })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, status: 400 });
    const poor = await harness.bus
      .send(USERS.DEBIT_COINS, coinChangeDto(member.id, { amount: 1 }))
      .catch((e: unknown) => e);
    expect(poor).toMatchObject({ code: ErrorCode.INSUFFICIENT_COINS, status: 402 });
    const page = await harness.bus.send(USERS.GET_COINS, {
      member_id: member.id,
      limit: 10,
      offset: 0,
    });
    expect(page).toMatchObject({ balance: 0, total: 0 });
  });
  describe('debitMany', () => {
    it('applies each debit or refuses it alone, answers in the order asked, and a repeat changes nothing', async () => {
      const [rich, poor, other] = await Promise.all([
        harness.given.telegramMember(),
        harness.given.telegramMember(),
        harness.given.telegramMember(),
      ]);
      await harness.given.coins(rich.id, 50);
      await harness.given.coins(other.id, 20);
      const debits = [
        coinChangeDto(rich.id, { amount: 10 }),
        coinChangeDto(poor.id, { amount: 10 }),
        coinChangeDto(other.id, { amount: 15 }),
      ];

      const first = await sut.debitMany({ debits });

      expect(first.outcomes).toEqual([
        { result: expect.objectContaining({ balance: 40, applied: true }) },
        { error: expect.objectContaining({ code: ErrorCode.INSUFFICIENT_COINS, status: 402 }) },
        { result: expect.objectContaining({ balance: 5, applied: true }) },
      ]);
      const again = await sut.debitMany({ debits });
      expect(again.outcomes[0]).toEqual({
        result: { ...(first.outcomes[0] as { result: object }).result, applied: false },
      });
      await expect(ledgerOf(rich.id)).resolves.toEqual({ rows: 2, sum: 40, balance: 40 });
      await expect(ledgerOf(poor.id)).resolves.toEqual({ rows: 0, sum: 0, balance: 0 });
      await expect(ledgerOf(other.id)).resolves.toEqual({ rows: 2, sum: 5, balance: 5 });
    });

    it('a group that fails midway is rolled back whole; its repeat debits each member once', async () => {
      const members = await Promise.all([1, 2, 3].map(() => harness.given.telegramMember()));
      for (const member of members) await harness.given.coins(member.id, 30);
      const debits = members.map((member) => coinChangeDto(member.id, { amount: 10 }));
      const ledger = harness.get(CoinLedger);
      const apply = ledger.apply.bind(ledger);
      let calls = 0;
      const spy = jest.spyOn(ledger, 'apply').mockImplementation((tx, entry) => {
        calls += 1;
        if (calls === 3) return Promise.reject(new Error('connection lost mid-group'));
        return apply(tx, entry);
      });

      await expect(sut.debitMany({ debits })).rejects.toThrow('connection lost mid-group');
      for (const member of members) {
        await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 1, sum: 30, balance: 30 });
      }
      spy.mockRestore();
      const repeat = await sut.debitMany({ debits });
      expect(repeat.outcomes.every((o) => 'result' in o && o.result.applied)).toBe(true);
      for (const member of members) {
        await expect(ledgerOf(member.id)).resolves.toEqual({ rows: 2, sum: 20, balance: 20 });
      }
    });

    it('over the bus: every debit validated', async () => {
      const member = await harness.given.telegramMember();
      const invalid = await harness.bus
        .send(USERS.DEBIT_COINS_MANY, {
          debits: [coinChangeDto(member.id), { ...coinChangeDto(member.id), amount: 0 }],
        })
        .catch((e: unknown) => e);
      expect(invalid).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, status: 400 });
    });
  });
});
