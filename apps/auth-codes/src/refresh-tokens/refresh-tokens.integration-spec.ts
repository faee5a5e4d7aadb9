import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@up/contracts';
import { dataSourceOptions, migrate, TransactionRunner } from '@up/database';
import { createTestDatabase, errorCodeOf, TestDatabase } from '@up/testing';
import { AuthCodesConfig } from '../config/auth-codes.config';
import { AUTH_CODES_DATABASE } from '../database';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';
import { SessionsRepository } from './sessions.repository';

describe(RefreshTokensService.name, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let sut: RefreshTokensService;

  const liveTokensOf = async (memberId: string): Promise<number> =>
    Number(
      (
        await dataSource.query(
          `SELECT count(*) AS n FROM auth.refresh_tokens
           WHERE member_id = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
          [memberId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    Logger.overrideLogger(false); // the warnings these tests provoke on purpose
    db = await createTestDatabase();
    dataSource = await new DataSource(
      dataSourceOptions({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: 5 }, AUTH_CODES_DATABASE),
    ).initialize();
    await migrate(dataSource, AUTH_CODES_DATABASE.schema);
    const config = Object.assign(new AuthCodesConfig(), { REFRESH_TOKEN_TTL_DAYS: 30 });
    sut = new RefreshTokensService(
      new RefreshTokensRepository(dataSource),
      new SessionsRepository(dataSource),
      new TransactionRunner(dataSource),
      config,
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('issues an opaque 256-bit token valid for REFRESH_TOKEN_TTL_DAYS', async () => {
    const before = Date.now();
    const issued = await sut.issue({ member_id: randomUUID() });
    expect(issued.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expiresAt = new Date(issued.expires_at).getTime();
    expect(expiresAt - before).toBeGreaterThanOrEqual(30 * 86400_000 - 1000);
    expect(expiresAt - before).toBeLessThanOrEqual(30 * 86400_000 + 1000);
  });

  it('stores only the SHA-256 of a token', async () => {
    const memberId = randomUUID();
    const { refresh_token } = await sut.issue({ member_id: memberId });
    const rows: { token_hash: Buffer }[] = await dataSource.query(
      `SELECT token_hash FROM auth.refresh_tokens WHERE member_id = $1`,
      [memberId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash.equals(createHash('sha256').update(refresh_token).digest())).toBe(
      true,
    );
    const dump = JSON.stringify(
      await dataSource.query(`SELECT * FROM auth.refresh_tokens WHERE member_id = $1`, [memberId]),
    );
    expect(dump).not.toContain(refresh_token);
  });

  it('rotates on every use: a new token for the same member, the old one stops working', async () => {
    const memberId = randomUUID();
    const first = await sut.issue({ member_id: memberId });
    const second = await sut.rotate({ refresh_token: first.refresh_token });
    expect(second.member_id).toBe(memberId);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = await sut.rotate({ refresh_token: second.refresh_token });
    expect(third.member_id).toBe(memberId);
    expect(await liveTokensOf(memberId)).toBe(1);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const memberId = randomUUID();
    const first = await sut.issue({ member_id: memberId });
    const second = await sut.rotate({ refresh_token: first.refresh_token });
    // Someone replays the first token: refused, and the family's live token dies with it.
    expect(await errorCodeOf(sut.rotate({ refresh_token: first.refresh_token }))).toBe(
      ErrorCode.INVALID_REFRESH_TOKEN,
    );
    expect(await errorCodeOf(sut.rotate({ refresh_token: second.refresh_token }))).toBe(
      ErrorCode.INVALID_REFRESH_TOKEN,
    );
    expect(await liveTokensOf(memberId)).toBe(0);
  });

  it('leaves the member’s other families alone when one family is revoked', async () => {
    const memberId = randomUUID();
    const phone = await sut.issue({ member_id: memberId });
    const laptop = await sut.issue({ member_id: memberId });
    await sut.rotate({ refresh_token: phone.refresh_token });
    await errorCodeOf(sut.rotate({ refresh_token: phone.refresh_token }));
    await expect(sut.rotate({ refresh_token: laptop.refresh_token })).resolves.toMatchObject({
      member_id: memberId,
    });
  });

  it('lets exactly one of concurrent rotations of one token win', async () => {
    const memberId = randomUUID();
    const { refresh_token } = await sut.issue({ member_id: memberId });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => sut.rotate({ refresh_token })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    // The losers presented a rotated token: reuse, so the family (and the winner's token) is revoked.
    expect(await liveTokensOf(memberId)).toBe(0);
  });

  it('refuses unknown and expired tokens', async () => {
    expect(await errorCodeOf(sut.rotate({ refresh_token: 'never-issued' }))).toBe(
      ErrorCode.INVALID_REFRESH_TOKEN,
    );
    const memberId = randomUUID();
    const { refresh_token } = await sut.issue({ member_id: memberId });
    await dataSource.query(
      `UPDATE auth.refresh_tokens SET expires_at = now() - interval '1 second' WHERE member_id = $1`,
      [memberId],
    );
    await expect(sut.rotate({ refresh_token })).rejects.toMatchObject({
      code: ErrorCode.INVALID_REFRESH_TOKEN,
      status: 401,
    });
  });

  it('logout revokes the family', async () => {
    const memberId = randomUUID();
    const first = await sut.issue({ member_id: memberId });
    const second = await sut.rotate({ refresh_token: first.refresh_token });
    // Logging out with an older token of the family still ends the family.
    await expect(sut.revoke({ refresh_token: first.refresh_token })).resolves.toEqual({
      revoked: true,
    });
    expect(await errorCodeOf(sut.rotate({ refresh_token: second.refresh_token }))).toBe(
      ErrorCode.INVALID_REFRESH_TOKEN,
    );
    await expect(sut.revoke({ refresh_token: 'unknown' })).resolves.toEqual({ revoked: false });
  });

  it('logs a member out everywhere', async () => {
    const memberId = randomUUID();
    const other = randomUUID();
    const tokens = await Promise.all([
      sut.issue({ member_id: memberId }),
      sut.issue({ member_id: memberId }),
      sut.issue({ member_id: memberId }),
    ]);
    const bystander = await sut.issue({ member_id: other });
    await sut.rotate({ refresh_token: tokens[0].refresh_token });
    await expect(sut.revokeMember({ member_id: memberId })).resolves.toEqual({ revoked: 3 });
    for (const token of tokens.slice(1)) {
      expect(await errorCodeOf(sut.rotate(token))).toBe(ErrorCode.INVALID_REFRESH_TOKEN);
    }
    await expect(sut.revokeMember({ member_id: memberId })).resolves.toEqual({ revoked: 0 });
    await expect(sut.rotate(bystander)).resolves.toMatchObject({ member_id: other });
  });

  it('purges tokens that expired more than a day ago', async () => {
    const memberId = randomUUID();
    await sut.issue({ member_id: memberId });
    await dataSource.query(
      `UPDATE auth.refresh_tokens SET expires_at = now() - interval '2 days' WHERE member_id = $1`,
      [memberId],
    );
    expect(await sut.purgeExpired()).toBeGreaterThanOrEqual(1);
    const left = await dataSource.query(`SELECT 1 FROM auth.refresh_tokens WHERE member_id = $1`, [
      memberId,
    ]);
    expect(left).toEqual([]);
  });
});
