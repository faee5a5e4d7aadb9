import { randomUUID } from 'node:crypto';
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
import { SessionsService } from './sessions.service';

const PHONE = { user_agent: 'Mozilla/5.0 (iPhone) Mobile Safari', ip: '203.0.113.77' };
const LAPTOP = { user_agent: 'Mozilla/5.0 (X11; Linux) Firefox/128.0', ip: '2001:db8:abcd:12::5' };

describe(SessionsService.name, () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let tokens: RefreshTokensService;
  let sut: SessionsService;

  beforeAll(async () => {
    Logger.overrideLogger(false); // the reuse warning one test provokes on purpose
    db = await createTestDatabase();
    dataSource = await new DataSource(
      dataSourceOptions({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: 5 }, AUTH_CODES_DATABASE),
    ).initialize();
    await migrate(dataSource, AUTH_CODES_DATABASE.schema);
    const config = Object.assign(new AuthCodesConfig(), { REFRESH_TOKEN_TTL_DAYS: 30 });
    const refreshTokens = new RefreshTokensRepository(dataSource);
    const sessions = new SessionsRepository(dataSource);
    tokens = new RefreshTokensService(
      refreshTokens,
      sessions,
      new TransactionRunner(dataSource),
      config,
    );
    sut = new SessionsService(sessions, refreshTokens);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const idsOf = async (memberId: string): Promise<string[]> =>
    (await sut.list({ member_id: memberId })).sessions.map((session) => session.id);

  it('lists each sign-in once, newest first, with its client and only the network of its IP', async () => {
    const memberId = randomUUID();
    const phone = await tokens.issue({ member_id: memberId, ...PHONE });
    const laptop = await tokens.issue({ member_id: memberId, ...LAPTOP });
    await tokens.rotate({ refresh_token: phone.refresh_token, ...PHONE });

    const { sessions } = await sut.list({ member_id: memberId });
    expect(sessions).toEqual([
      {
        id: laptop.session_id,
        created_at: expect.any(String),
        last_used_at: expect.any(String),
        user_agent: LAPTOP.user_agent,
        ip: '2001:db8:abcd::/48',
      },
      {
        id: phone.session_id,
        created_at: expect.any(String),
        last_used_at: expect.any(String),
        user_agent: PHONE.user_agent,
        ip: '203.0.113.0/24',
      },
    ]);
    // Full addresses are never stored.
    const dump = JSON.stringify(
      await dataSource.query(`SELECT * FROM auth.sessions WHERE member_id = $1`, [memberId]),
    );
    expect(dump).not.toContain(PHONE.ip);
    expect(dump).not.toContain('abcd:12');
  });

  it('records the time and client of every refresh as the session’s last use', async () => {
    const memberId = randomUUID();
    const issued = await tokens.issue({ member_id: memberId, ...PHONE });
    await dataSource.query(
      `UPDATE auth.sessions SET created_at = now() - interval '1 day',
              last_used_at = now() - interval '1 day' WHERE id = $1`,
      [issued.session_id],
    );
    const rotated = await tokens.rotate({ refresh_token: issued.refresh_token, ...LAPTOP });
    expect(rotated.session_id).toBe(issued.session_id);

    const [session] = (await sut.list({ member_id: memberId })).sessions;
    expect(new Date(session.last_used_at).getTime()).toBeGreaterThan(
      new Date(session.created_at).getTime(),
    );
    expect(session).toMatchObject({ user_agent: LAPTOP.user_agent, ip: '2001:db8:abcd::/48' });
  });

  it('keeps a session without a known client', async () => {
    const memberId = randomUUID();
    await tokens.issue({ member_id: memberId });
    expect((await sut.list({ member_id: memberId })).sessions).toEqual([
      expect.objectContaining({ user_agent: null, ip: null }),
    ]);
  });

  it('ends one session: its token stops working, the others go on', async () => {
    const memberId = randomUUID();
    const phone = await tokens.issue({ member_id: memberId, ...PHONE });
    const laptop = await tokens.issue({ member_id: memberId, ...LAPTOP });

    await expect(
      sut.revoke({ member_id: memberId, session_id: phone.session_id }),
    ).resolves.toEqual({ revoked: true });

    expect(await errorCodeOf(tokens.rotate({ refresh_token: phone.refresh_token }))).toBe(
      ErrorCode.INVALID_REFRESH_TOKEN,
    );
    await expect(tokens.rotate({ refresh_token: laptop.refresh_token })).resolves.toMatchObject({
      member_id: memberId,
    });
    expect(await idsOf(memberId)).toEqual([laptop.session_id]);
    // Ending it again: it is no longer a session.
    expect(
      await errorCodeOf(sut.revoke({ member_id: memberId, session_id: phone.session_id })),
    ).toBe(ErrorCode.SESSION_NOT_FOUND);
  });

  it('answers SESSION_NOT_FOUND for an unknown id and for another member’s, which lives on', async () => {
    const memberId = randomUUID();
    const otherId = randomUUID();
    await tokens.issue({ member_id: memberId, ...PHONE });
    const others = await tokens.issue({ member_id: otherId, ...LAPTOP });

    await expect(
      sut.revoke({ member_id: memberId, session_id: others.session_id }),
    ).rejects.toMatchObject({ code: ErrorCode.SESSION_NOT_FOUND, status: 404 });
    expect(await errorCodeOf(sut.revoke({ member_id: memberId, session_id: randomUUID() }))).toBe(
      ErrorCode.SESSION_NOT_FOUND,
    );

    expect(await idsOf(otherId)).toEqual([others.session_id]);
    await expect(tokens.rotate({ refresh_token: others.refresh_token })).resolves.toMatchObject({
      member_id: otherId,
    });
  });

  it('lists nothing once the member logged out everywhere', async () => {
    const memberId = randomUUID();
    const bystander = randomUUID();
    await tokens.issue({ member_id: memberId, ...PHONE });
    await tokens.issue({ member_id: memberId, ...LAPTOP });
    await tokens.issue({ member_id: bystander, ...LAPTOP });
    expect(await idsOf(memberId)).toHaveLength(2);

    await expect(tokens.revokeMember({ member_id: memberId })).resolves.toEqual({ revoked: 2 });

    expect(await idsOf(memberId)).toEqual([]);
    expect(await idsOf(bystander)).toHaveLength(1);
  });

  it('drops a session ended by logout, by reuse of a rotated token, or by expiry', async () => {
    const memberId = randomUUID();
    const loggedOut = await tokens.issue({ member_id: memberId });
    await tokens.revoke({ refresh_token: loggedOut.refresh_token });
    const reused = await tokens.issue({ member_id: memberId });
    await tokens.rotate({ refresh_token: reused.refresh_token });
    await errorCodeOf(tokens.rotate({ refresh_token: reused.refresh_token }));
    const expired = await tokens.issue({ member_id: memberId });
    await dataSource.query(
      `UPDATE auth.refresh_tokens SET expires_at = now() - interval '1 second' WHERE family_id = $1`,
      [expired.session_id],
    );

    expect(await idsOf(memberId)).toEqual([]);
  });

  it('purges a session with its last token', async () => {
    const memberId = randomUUID();
    const { session_id } = await tokens.issue({ member_id: memberId });
    await dataSource.query(
      `UPDATE auth.refresh_tokens SET expires_at = now() - interval '2 days' WHERE family_id = $1`,
      [session_id],
    );
    await tokens.purgeExpired();
    expect(
      await dataSource.query(`SELECT 1 FROM auth.sessions WHERE id = $1`, [session_id]),
    ).toEqual([]);
  });
});
