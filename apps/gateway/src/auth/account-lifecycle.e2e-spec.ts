import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ErrorCode, EventParticipantsPage, MemberRole, PrivateProfile } from '@up/contracts';
import { ApiRequestOptions, Platform, startPlatform } from '@up/testing';
import { ClubFactory, TestMember } from '../../test/factories/club.factory';
import { loginWidgetSecret, miniAppSecret, signDataCheckString } from './telegram-auth';

const BOT_TOKEN = '123456789:e2e-test-bot-token_ABCdef';
const REWARD = 50;

type Json = Record<string, unknown>;
interface Session {
  id: string;
  access_token: string;
  refresh_token: string;
  referral_code: string;
}

/**
 * One member across Telegram and email (linking, the merge saga, with the events service killed
 * halfway) and deleting an account, through the real gateway, users, auth-codes and events apps.
 */
describe('account lifecycle: linking Telegram, merging, deleting (e2e)', () => {
  let platform: Platform;
  let club: ClubFactory;
  let organizer: TestMember;
  let db: Client;
  let nextAddress = 1;

  const withAddress = (options: ApiRequestOptions = {}): ApiRequestOptions => ({
    ...options,
    headers: { 'x-forwarded-for': `10.9.0.${nextAddress++ % 250}`, ...options.headers },
  });
  const post = (path: string, options?: ApiRequestOptions) =>
    platform.api.post<Json>(path, withAddress(options));

  /**
   * Telegram payloads are single use (the gateway refuses a replay), so each one here is a new
   * payload, as Telegram issues one per login: its auth_date at least a second earlier than the
   * last one's. Strictly below the last one, not "now minus a counter": the clock moves on while
   * the tests run (stopping the events app takes seconds), and now - n would meet an earlier
   * payload's date again, repeating it exactly.
   */
  let lastAuthDate = Number.POSITIVE_INFINITY;
  const authDate = () => (lastAuthDate = Math.min(Math.floor(Date.now() / 1000), lastAuthDate - 1));

  function widget(fields: { id: number; first_name: string; username?: string }): Json {
    const signed = { ...fields, auth_date: authDate() };
    const map = new Map(Object.entries(signed).map(([k, v]) => [k, String(v)]));
    return { ...signed, hash: signDataCheckString(loginWidgetSecret(BOT_TOKEN), map) };
  }

  function initData(user: { id: number; first_name: string }): string {
    const map = new Map([
      ['auth_date', String(authDate())],
      ['user', JSON.stringify(user)],
    ]);
    const hash = signDataCheckString(miniAppSecret(BOT_TOKEN), map);
    return new URLSearchParams([...map, ['hash', hash]]).toString();
  }

  async function signUp(referralCode?: string): Promise<Session & { password: string }> {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const res = await post('/api/auth/register', {
      body: {
        full_name: 'Ada Lovelace',
        email: `member-${randomUUID()}@example.org`,
        password,
        ...(referralCode ? { referral_code: referralCode } : {}),
      },
    });
    expect(res.status).toBe(201);
    const body = res.json as { user: PrivateProfile; access_token: string; refresh_token: string };
    return {
      id: body.user.id,
      access_token: body.access_token,
      refresh_token: body.refresh_token,
      referral_code: body.user.referral_code,
      password,
    };
  }

  async function telegramSignIn(telegramId: number): Promise<Session> {
    const res = await post('/api/auth/telegram', {
      body: widget({ id: telegramId, first_name: 'Tg', username: `tg_${telegramId}` }),
    });
    expect(res.status).toBe(200);
    const body = res.json as { user: PrivateProfile; access_token: string; refresh_token: string };
    return {
      id: body.user.id,
      access_token: body.access_token,
      refresh_token: body.refresh_token,
      referral_code: body.user.referral_code,
    };
  }

  const me = (token: string) => platform.api.get<PrivateProfile & Json>('/api/users/me', { token });
  const refresh = (refreshToken: string) =>
    post('/api/auth/refresh', { body: { refresh_token: refreshToken } });
  const join = (eventId: string, token: string) =>
    platform.api.post(`/api/v1/events/${eventId}/join`, { token });
  const participants = async (eventId: string) =>
    (await platform.api.get<EventParticipantsPage>(`/api/v1/events/${eventId}/participants`)).json
      .participants;

  /** Polls the database (no timing asserted): the merge's step, until `done`. */
  async function mergeStep(from: string): Promise<string | undefined> {
    const { rows } = await db.query<{ step: string }>(
      'SELECT step FROM users.member_merges WHERE from_member_id = $1',
      [from],
    );
    return rows[0]?.step;
  }
  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes', 'events'],
      env: { ...ClubFactory.env, TELEGRAM_BOT_TOKEN: BOT_TOKEN },
      appEnv: {
        gateway: { TRUST_PROXY: 'true', RATE_LIMIT_LINK_PER_HOUR: '3' },
        users: {
          REFERRAL_REWARD_COINS: String(REWARD),
          MERGE_SWEEP_INTERVAL_MS: '100',
          BUS_REQUEST_TIMEOUT_MS: '1000',
        },
      },
    });
    club = new ClubFactory(platform);
    organizer = await club.member({ role: MemberRole.ORGANIZER });
    db = new Client({ connectionString: platform.database.url });
    await db.connect();
  }, 90_000);

  afterAll(async () => {
    await db?.end();
    await platform?.close();
  });

  describe('POST /api/users/me/link/telegram', () => {
    it('attaches a Telegram account without a member, and pays the waiting referral reward', async () => {
      const referrer = await signUp();
      const member = await signUp(referrer.referral_code);
      const telegramId = randomInt(1_000_000_000, 2 ** 47);
      const linked = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: widget({ id: telegramId, first_name: 'Ada' }),
      });
      expect(linked.status).toBe(200);
      expect(linked.json).toMatchObject({ id: member.id, telegram_id: telegramId });
      expect((await me(referrer.access_token)).json.up_coins).toBe(REWARD);
      // Signing in with that Telegram account now is signing in as this member.
      expect((await telegramSignIn(telegramId)).id).toBe(member.id);
      const again = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: widget({ id: telegramId, first_name: 'Ada' }),
      });
      expect(again.status).toBe(200);
      const other = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: { init_data: initData({ id: telegramId + 1, first_name: 'Ada' }) },
      });
      expect([other.status, other.json.code]).toEqual([409, ErrorCode.TELEGRAM_ALREADY_LINKED]);
    });

    it('takes Mini App init data; refuses unsigned data, a missing token, bad bodies, and too many tries', async () => {
      const member = await signUp();
      const telegramId = randomInt(1_000_000_000, 2 ** 47);
      const forged = { ...widget({ id: telegramId, first_name: 'Ada' }), id: telegramId + 1 };
      const refused = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: forged,
      });
      expect([refused.status, refused.json.code]).toEqual([401, ErrorCode.INVALID_TELEGRAM_AUTH]);
      expect((await post('/api/users/me/link/telegram', { body: forged })).status).toBe(401);
      const bad = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: {},
      });
      expect(bad.status).toBe(400);
      expect(bad.json.fields).toHaveProperty('hash');
      const linked = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: { init_data: initData({ id: telegramId, first_name: 'Ada' }) },
      });
      expect([linked.status, linked.json.telegram_id]).toEqual([200, telegramId]);
      const limited = await post('/api/users/me/link/telegram', {
        token: member.access_token,
        body: { init_data: initData({ id: telegramId, first_name: 'Ada' }) },
      });
      expect(limited.status).toBe(429);
    });
  });

  describe('merging two members of one person', () => {
    it('finishes after the events service was down in the middle: coins, one seat, sessions, old code', async () => {
      const shared = await club.event({ capacity: 5, price: 10 }, organizer);
      const onlyBot = await club.event({ capacity: 5, price: 5 }, organizer);
      const waitlisted = await club.event({ capacity: 1, price: 0 }, organizer);

      const telegramId = randomInt(1_000_000_000, 2 ** 47);
      const bot = await telegramSignIn(telegramId);
      const web = await signUp();
      await club.grantCoins(bot.id, 40);
      await club.grantCoins(web.id, 30);
      expect((await join(shared.id, bot.access_token)).status).toBe(201);
      expect((await join(shared.id, web.access_token)).status).toBe(201);
      expect((await join(onlyBot.id, bot.access_token)).status).toBe(201);
      const seated = await club.member();
      expect((await join(waitlisted.id, seated.token)).status).toBe(201);
      expect(
        (
          await platform.api.post(`/api/v1/events/${waitlisted.id}/waitlist`, {
            token: bot.access_token,
          })
        ).status,
      ).toBe(201);
      // 40 - 10 - 5 and 30 - 10; the duplicate seat (10) comes back.
      const expected = 25 + 20 + 10;

      const events = platform.app('events');
      await events.stop();
      // Started again even when an assertion fails here, so the later tests find it running.
      try {
        const linked = await post('/api/users/me/link/telegram', {
          token: web.access_token,
          body: widget({ id: telegramId, first_name: 'Tg' }),
        });
        expect(linked.status).toBe(200);
        expect(linked.json).toMatchObject({ id: web.id, telegram_id: telegramId });
        expect(await mergeStep(bot.id)).toBe('events');
        // The Telegram account already signs in as the survivor.
        expect((await telegramSignIn(telegramId)).id).toBe(web.id);
      } finally {
        await events.start();
      }
      await until(
        () => mergeStep(bot.id),
        (step) => step === 'done',
      );

      expect((await me(web.access_token)).json.up_coins).toBe(expected);
      const ledger = await db.query<{ idempotency_key: string; amount: number }>(
        `SELECT idempotency_key, amount FROM users.coin_transactions
          WHERE idempotency_key LIKE 'merge:%' AND member_id IN ($1, $2) ORDER BY amount`,
        [bot.id, web.id],
      );
      expect(ledger.rows.map((r) => r.amount)).toEqual([-35, 35]);
      expect(ledger.rows[0].idempotency_key).toMatch(/^merge:[0-9a-f-]+:out$/);

      expect((await participants(shared.id)).map((p) => p.id)).toEqual([web.id]);
      expect((await participants(onlyBot.id)).map((p) => p.id)).toEqual([web.id]);
      const line = await db.query<{ member_id: string }>(
        `SELECT member_id FROM events.waitlist WHERE event_id = $1 AND status = 'waiting'`,
        [waitlisted.id],
      );
      expect(line.rows.map((r) => r.member_id)).toEqual([web.id]);

      expect((await refresh(bot.refresh_token)).status).toBe(401);
      expect((await refresh(web.refresh_token)).status).toBe(200);
      const byOldCode = await platform.api.get<{ user: Json }>(`/api/users/u/${bot.referral_code}`);
      expect([byOldCode.status, byOldCode.json.user.id]).toEqual([200, web.id]);
    }, 60_000);

    it('merges the address’s member into a Telegram member who verifies it', async () => {
      const web = await signUp();
      await club.grantCoins(web.id, 12);
      const telegramId = randomInt(1_000_000_000, 2 ** 47);
      const bot = await telegramSignIn(telegramId);
      const { rows } = await db.query<{ email: string }>(
        'SELECT email FROM users.members WHERE id = $1',
        [web.id],
      );
      const asked = await post('/api/users/me/email', {
        token: bot.access_token,
        body: { email: rows[0].email },
      });
      expect(asked.status).toBe(202);
      // The token is read from the database: mail delivery is covered by the account tests.
      const token = await issueVerificationToken(bot.id, rows[0].email);
      const verified = await post('/api/auth/email/verify', { body: { token } });
      expect(verified.status).toBe(200);
      expect(verified.json).toMatchObject({
        id: bot.id,
        email: rows[0].email,
        email_verified: true,
      });
      await until(
        () => mergeStep(web.id),
        (step) => step === 'done',
      );
      expect((await me(bot.access_token)).json.up_coins).toBe(12);
      const login = await post('/api/auth/token', {
        body: { email: rows[0].email, password: web.password },
      });
      expect(login.status).toBe(200);
    });
  });

  /** A verification token for the member and address, stored hashed as the users service does. */
  async function issueVerificationToken(memberId: string, email: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await db.query(
      `INSERT INTO users.member_tokens (member_id, purpose, token_hash, email, expires_at)
       VALUES ($1, 'email_verification', $2, $3, now() + interval '1 hour')`,
      [memberId, createHash('sha256').update(token).digest('hex'), email],
    );
    return token;
  }

  describe('DELETE /api/users/me', () => {
    it('erases the member, gives back seats with refunds, ends sessions, keeps ledger and referrals', async () => {
      const referrer = await signUp();
      const member = await signUp(referrer.referral_code);
      await club.grantCoins(member.id, 20);
      const event = await club.event({ capacity: 1, price: 15 }, organizer);
      expect((await join(event.id, member.access_token)).status).toBe(201);
      const waiting = await club.member({ coins: 15 });
      expect(
        (await platform.api.post(`/api/v1/events/${event.id}/waitlist`, { token: waiting.token }))
          .status,
      ).toBe(201);

      const wrong = await platform.api.delete<Json>('/api/users/me', {
        token: member.access_token,
        body: { password: 'not the password' },
      });
      expect([wrong.status, (wrong.json.fields as Json | undefined) ?? {}]).toEqual([
        400,
        { password: expect.any(Array) },
      ]);
      const deleted = await platform.api.delete('/api/users/me', {
        token: member.access_token,
        body: { password: member.password },
      });
      expect(deleted.status).toBe(204);

      expect((await me(member.access_token)).status).toBe(404);
      expect((await platform.api.get(`/api/users/u/${member.referral_code}`)).status).toBe(404);
      expect((await refresh(member.refresh_token)).status).toBe(401);
      const again = await platform.api.delete('/api/users/me', {
        token: member.access_token,
        body: { password: member.password },
      });
      expect(again.status).toBe(404);

      const row = await db.query(
        `SELECT email, password_hash, telegram_id, username, full_name, photo_url, deleted_at
           FROM users.members WHERE id = $1`,
        [member.id],
      );
      expect(row.rows[0]).toEqual({
        email: null,
        password_hash: null,
        telegram_id: null,
        username: null,
        full_name: '',
        photo_url: null,
        deleted_at: expect.any(Date),
      });
      // The seat is given back (refunded) and goes to the member waiting.
      await until(
        async () => (await participants(event.id)).map((p) => p.id),
        (ids) => ids.length === 1 && ids[0] === waiting.id,
      );
      const ledger = await until(
        async () =>
          (
            await db.query<{ idempotency_key: string }>(
              'SELECT idempotency_key FROM users.coin_transactions WHERE member_id = $1',
              [member.id],
            )
          ).rows.map((r) => r.idempotency_key),
        (keys) => keys.some((key) => key.startsWith('join-refund:')),
      );
      expect(ledger.length).toBe(3);
      const referrals = await platform.api.get<{ count: number }>('/api/users/me/referrals', {
        token: referrer.access_token,
      });
      expect(referrals.json.count).toBe(1);
    });

    it('needs a recent sign-in from a member without a password', async () => {
      const telegramId = randomInt(1_000_000_000, 2 ** 47);
      const member = await telegramSignIn(telegramId);
      await db.query(
        `UPDATE users.members SET last_login = now() - interval '10 minutes' WHERE id = $1`,
        [member.id],
      );
      const stale = await platform.api.delete<Json>('/api/users/me', {
        token: member.access_token,
        body: {},
      });
      expect([stale.status, stale.json.code]).toEqual([403, ErrorCode.RECENT_SIGN_IN_REQUIRED]);
      const fresh = await telegramSignIn(telegramId);
      const deleted = await platform.api.delete('/api/users/me', {
        token: fresh.access_token,
        body: {},
      });
      expect(deleted.status).toBe(204);
      // The Telegram account is free again: signing in with it makes a new member.
      expect((await telegramSignIn(telegramId)).id).not.toBe(member.id);
    });
  });
});
