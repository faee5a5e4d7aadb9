import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ErrorCode } from '@up/contracts';
import {
  ApiRequestOptions,
  linkIn,
  Platform,
  startPlatform,
  startTestMailServer,
  TestMailServer,
} from '@up/testing';
import { loginWidgetSecret, signDataCheckString } from './telegram-auth';

const BOT_TOKEN = '123456789:e2e-test-bot-token_ABCdef';
const ADMIN_EMAIL = `chief-${randomUUID()}@example.org`;
const REWARDS_PER_DAY = 2;
const REWARD = 50;

type Json = Record<string, unknown>;
interface SignedUp {
  email: string;
  password: string;
  id: string;
  access_token: string;
  refresh_token: string;
  referral_code: string;
}

/**
 * The account routes through the real gateway, users and auth-codes apps, with the users service
 * sending real SMTP to an in-process server; links are read out of the received mail.
 */
describe('account: email verification and passwords (e2e)', () => {
  let platform: Platform;
  let smtp: TestMailServer;
  let db: Client;
  let nextAddress = 1;

  function client(address = `10.2.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`) {
    const withAddress = (options: ApiRequestOptions = {}): ApiRequestOptions => ({
      ...options,
      headers: { 'x-forwarded-for': address, ...options.headers },
    });
    return {
      post: (path: string, options?: ApiRequestOptions) =>
        platform.api.post<Json>(path, withAddress(options)),
      get: (path: string, options?: ApiRequestOptions) =>
        platform.api.get<Json>(path, withAddress(options)),
    };
  }

  async function signUp(
    overrides: { email?: string; referral_code?: string } = {},
  ): Promise<SignedUp> {
    const email = overrides.email ?? `member-${randomUUID()}@example.org`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const response = await client().post('/api/auth/register', {
      body: { full_name: 'Ada Lovelace', ...overrides, email, password },
    });
    expect(response.status).toBe(201);
    const body = response.json as { user: Json; access_token: string; refresh_token: string };
    return {
      email,
      password,
      id: String(body.user.id),
      access_token: body.access_token,
      refresh_token: body.refresh_token,
      referral_code: String(body.user.referral_code),
    };
  }

  async function telegramMember(): Promise<{
    id: string;
    access_token: string;
    refresh_token: string;
  }> {
    const fields = {
      id: 7_000_000 + nextAddress++,
      first_name: 'Tg',
      auth_date: Math.floor(Date.now() / 1000),
    };
    const map = new Map(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    const body = { ...fields, hash: signDataCheckString(loginWidgetSecret(BOT_TOKEN), map) };
    const response = await client().post('/api/auth/telegram', { body });
    expect(response.status).toBe(200);
    const json = response.json as { user: Json; access_token: string; refresh_token: string };
    return {
      id: String(json.user.id),
      access_token: json.access_token,
      refresh_token: json.refresh_token,
    };
  }

  const verifyToken = async (address: string, nth = 0) =>
    linkIn(await smtp.waitForMail(address, { after: nth }), '/auth/verify').token;

  const me = async (token: string) =>
    (await platform.api.get<Json>('/api/users/me', { token })).json;

  beforeAll(async () => {
    smtp = await startTestMailServer();
    platform = await startPlatform({
      apps: ['gateway', 'users', 'auth-codes'],
      env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN },
      appEnv: {
        gateway: { TRUST_PROXY: 'true' },
        users: {
          SMTP_URL: smtp.url,
          MAIL_FROM: 'UP Club <no-reply@up-club.test>',
          MAIL_POLL_INTERVAL_MS: '50',
          MAIL_RETRY_MIN_MS: '50',
          MAIL_RETRY_MAX_MS: '200',
          ADMIN_EMAILS: ADMIN_EMAIL,
          REFERRAL_REWARD_COINS: String(REWARD),
          REFERRAL_REWARDS_PER_DAY: String(REWARDS_PER_DAY),
          REFERRAL_SWEEP_INTERVAL_MS: '0',
        },
      },
    });
    db = new Client({ connectionString: platform.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await platform?.close();
    await smtp?.stop();
  });

  describe('POST /api/auth/email/verify', () => {
    it('registration mails a link (text and HTML) that verifies the email once', async () => {
      const member = await signUp();
      expect(await me(member.access_token)).toMatchObject({ email_verified: false });
      const mail = await smtp.waitForMail(member.email);
      expect(mail.subject).toMatch(/UP Club/);
      expect(mail.html).toContain('/auth/verify?token=');
      const { url, token } = linkIn(mail, '/auth/verify');
      expect(url.startsWith('http://localhost:5173/auth/verify?token=')).toBe(true);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const verified = await client().post('/api/auth/email/verify', { body: { token } });
      expect(verified.status).toBe(200);
      expect(verified.json).toMatchObject({
        id: member.id,
        email: member.email,
        email_verified: true,
      });

      const again = await client().post('/api/auth/email/verify', { body: { token } });
      expect(again.status).toBe(400);
      expect(again.json.code).toBe(ErrorCode.INVALID_TOKEN);
    });

    it('refuses a wrong token and an expired one with INVALID_TOKEN, and a missing one with fields', async () => {
      const member = await signUp();
      const token = await verifyToken(member.email);
      const wrong = await client().post('/api/auth/email/verify', {
        body: { token: `${token.slice(0, -2)}xx` },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.json.code).toBe(ErrorCode.INVALID_TOKEN);

      await db.query(
        `UPDATE users.member_tokens SET expires_at = now() - interval '1 second' WHERE member_id = $1`,
        [member.id],
      );
      const expired = await client().post('/api/auth/email/verify', { body: { token } });
      expect(expired.status).toBe(400);
      expect(expired.json.code).toBe(ErrorCode.INVALID_TOKEN);
      expect(await me(member.access_token)).toMatchObject({ email_verified: false });

      const missing = await client().post('/api/auth/email/verify', { body: {} });
      expect(missing.status).toBe(400);
      expect(missing.json.fields).toHaveProperty('token');
    });

    it('stores tokens hashed, never as sent', async () => {
      const member = await signUp();
      const token = await verifyToken(member.email);
      const { rows } = await db.query<{ token_hash: string }>(
        `SELECT token_hash FROM users.member_tokens WHERE member_id = $1`,
        [member.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).not.toContain(token);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('POST /api/auth/email/resend', () => {
    it('mails a new link, at most 3 an hour per member (429 with Retry-After beyond)', async () => {
      const member = await signUp();
      await smtp.waitForMail(member.email);
      const api = client();
      for (let i = 0; i < 3; i++) {
        const response = await api.post('/api/auth/email/resend', { token: member.access_token });
        expect(response.status).toBe(202);
      }
      const limited = await client().post('/api/auth/email/resend', { token: member.access_token });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      // The registration's mail and three more; the last link works.
      const token = await verifyToken(member.email, 3);
      expect((await client().post('/api/auth/email/verify', { body: { token } })).status).toBe(200);
    });

    it('needs a signed-in caller', async () => {
      expect((await client().post('/api/auth/email/resend')).status).toBe(401);
    });
  });

  describe('POST /api/auth/password/forgot and /reset', () => {
    it('answers the same for a known and an unknown email; only the known one gets a mail', async () => {
      const member = await signUp();
      const unknown = `nobody-${randomUUID()}@example.org`;
      const known = await client().post('/api/auth/password/forgot', {
        body: { email: member.email },
      });
      const other = await client().post('/api/auth/password/forgot', { body: { email: unknown } });
      expect(known.status).toBe(202);
      expect(other.status).toBe(202);
      expect(other.text).toBe(known.text);
      const mail = await smtp.waitForMail(member.email, { containing: '/auth/reset?token=' });
      expect(linkIn(mail, '/auth/reset').url).toMatch(
        /^http:\/\/localhost:5173\/auth\/reset\?token=/,
      );
      // The unknown address's request was handled by now (requests are handled in order).
      await signUp();
      expect(smtp.mailsTo(unknown)).toHaveLength(0);
    });

    it('limits requests per address whoever asks, known or not, and validates the email', async () => {
      for (const email of [`limit-${randomUUID()}@example.org`]) {
        for (let i = 0; i < 3; i++) {
          expect(
            (await client().post('/api/auth/password/forgot', { body: { email } })).status,
          ).toBe(202);
        }
        const limited = await client().post('/api/auth/password/forgot', { body: { email } });
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).not.toBeNull();
      }
      const bad = await client().post('/api/auth/password/forgot', { body: { email: 'nope' } });
      expect(bad.status).toBe(400);
      expect(bad.json.fields).toHaveProperty('email');
    });

    it('resets the password once; every session ends (old refresh token 401)', async () => {
      const member = await signUp();
      const login = await client().post('/api/auth/token', {
        body: { email: member.email, password: member.password },
      });
      expect(login.status).toBe(200);
      await client().post('/api/auth/password/forgot', { body: { email: member.email } });
      const { token } = linkIn(
        await smtp.waitForMail(member.email, { containing: '/auth/reset?token=' }),
        '/auth/reset',
      );

      const short = await client().post('/api/auth/password/reset', {
        body: { token, password: 'short' },
      });
      expect(short.status).toBe(400);
      expect(short.json.fields).toHaveProperty('password');

      const reset = await client().post('/api/auth/password/reset', {
        body: { token, password: 'a brand new password' },
      });
      expect(reset.status).toBe(204);
      for (const refresh of [member.refresh_token, String(login.json.refresh_token)]) {
        const refreshed = await client().post('/api/auth/refresh', {
          body: { refresh_token: refresh },
        });
        expect(refreshed.status).toBe(401);
      }
      const again = await client().post('/api/auth/password/reset', {
        body: { token, password: 'another new password' },
      });
      expect(again.status).toBe(400);
      expect(again.json.code).toBe(ErrorCode.INVALID_TOKEN);
      const old = await client().post('/api/auth/token', {
        body: { email: member.email, password: member.password },
      });
      expect(old.status).toBe(401);
      const fresh = await client().post('/api/auth/token', {
        body: { email: member.email, password: 'a brand new password' },
      });
      expect(fresh.status).toBe(200);
    });

    it('refuses a reset token after its hour', async () => {
      const member = await signUp();
      await client().post('/api/auth/password/forgot', { body: { email: member.email } });
      const { token } = linkIn(
        await smtp.waitForMail(member.email, { containing: '/auth/reset?token=' }),
        '/auth/reset',
      );
      await db.query(
        `UPDATE users.member_tokens SET expires_at = now() - interval '1 second'
          WHERE member_id = $1 AND purpose = 'password_reset'`,
        [member.id],
      );
      const expired = await client().post('/api/auth/password/reset', {
        body: { token, password: 'a brand new password' },
      });
      expect(expired.status).toBe(400);
      expect(expired.json.code).toBe(ErrorCode.INVALID_TOKEN);
    });
  });

  describe('POST /api/users/me/password', () => {
    it('changes the password with the current one, and ends the sessions', async () => {
      const member = await signUp();
      const path = '/api/users/me/password';
      const missing = await client().post(path, {
        token: member.access_token,
        body: { new_password: 'another password' },
      });
      expect(missing.status).toBe(400);
      expect(missing.json.fields).toHaveProperty('current_password');
      const wrong = await client().post(path, {
        token: member.access_token,
        body: { current_password: 'not it at all', new_password: 'another password' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.json.fields).toHaveProperty('current_password');

      const changed = await client().post(path, {
        token: member.access_token,
        body: { current_password: member.password, new_password: 'another password' },
      });
      expect(changed.status).toBe(204);
      const refreshed = await client().post('/api/auth/refresh', {
        body: { refresh_token: member.refresh_token },
      });
      expect(refreshed.status).toBe(401);
      const login = await client().post('/api/auth/token', {
        body: { email: member.email, password: 'another password' },
      });
      expect(login.status).toBe(200);
    });

    it('lets a Telegram member set a first password, then sign in by email once one is verified', async () => {
      const member = await telegramMember();
      const set = await client().post('/api/users/me/password', {
        token: member.access_token,
        body: { new_password: 'first password here' },
      });
      expect(set.status).toBe(204);
      const email = `tg-${randomUUID()}@example.org`;
      const asked = await client().post('/api/users/me/email', {
        token: member.access_token,
        body: { email },
      });
      expect(asked.status).toBe(202);
      const verified = await client().post('/api/auth/email/verify', {
        body: { token: await verifyToken(email) },
      });
      expect(verified.json).toMatchObject({ id: member.id, email, email_verified: true });
      const login = await client().post('/api/auth/token', {
        body: { email, password: 'first password here' },
      });
      expect(login.status).toBe(200);
    });
  });

  describe('POST /api/users/me/email', () => {
    it('changes the address only once the new one is verified', async () => {
      const member = await signUp();
      const next = `next-${randomUUID()}@example.org`;
      const asked = await client().post('/api/users/me/email', {
        token: member.access_token,
        body: { email: next },
      });
      expect(asked.status).toBe(202);
      expect(await me(member.access_token)).toMatchObject({ email: member.email });
      const token = await verifyToken(next);
      const verified = await client().post('/api/auth/email/verify', { body: { token } });
      expect(verified.json).toMatchObject({ email: next, email_verified: true });
      const login = await client().post('/api/auth/token', {
        body: { email: next, password: member.password },
      });
      expect(login.status).toBe(200);
    });

    it('answers the same for another member’s address, and mails nothing there', async () => {
      const [member, other] = [await signUp(), await signUp()];
      await smtp.waitForMail(other.email);
      const asked = await client().post('/api/users/me/email', {
        token: member.access_token,
        body: { email: other.email },
      });
      expect(asked.status).toBe(202);
      await client().post('/api/auth/email/resend', { token: member.access_token });
      await smtp.waitForMail(member.email, { after: 1 });
      expect(smtp.mailsTo(other.email)).toHaveLength(1);
      const bad = await client().post('/api/users/me/email', {
        token: member.access_token,
        body: { email: 'nope' },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.fields).toHaveProperty('email');
    });
  });

  describe('POST /api/users/me/email from a Telegram member, for another member’s address', () => {
    it('mails that address a link that says following it joins the two accounts', async () => {
      const [telegram, other] = [await telegramMember(), await signUp()];
      await smtp.waitForMail(other.email);
      const asked = await client().post('/api/users/me/email', {
        token: telegram.access_token,
        body: { email: other.email },
      });
      expect(asked.status).toBe(202);
      const mail = await smtp.waitForMail(other.email, { after: 1 });
      // In the asker's language: Russian for a Telegram member whose language Telegram did not give.
      expect(mail.subject).toBe('Объединение аккаунтов UP Club');
      expect(mail.text).toMatch(/объединяет аккаунт этого адреса с Telegram-аккаунтом/);
      expect(linkIn(mail, '/auth/verify').token).toBeTruthy();
    });
  });

  describe('what verification changes', () => {
    it('ADMIN_EMAILS makes an admin at verification, never at registration', async () => {
      const member = await signUp({ email: ADMIN_EMAIL });
      expect(await me(member.access_token)).toMatchObject({ role: 'member' });
      const verified = await client().post('/api/auth/email/verify', {
        body: { token: await verifyToken(ADMIN_EMAIL) },
      });
      expect(verified.json).toMatchObject({ role: 'admin', email_verified: true });
    });

    it('pays an email referee’s reward at verification, at most REFERRAL_REWARDS_PER_DAY a day', async () => {
      const referrer = await signUp();
      const referees = [];
      for (let i = 0; i < REWARDS_PER_DAY + 1; i++) {
        referees.push(await signUp({ referral_code: referrer.referral_code }));
      }
      expect(await me(referrer.access_token)).toMatchObject({ up_coins: 0 });
      for (const referee of referees) {
        const token = await verifyToken(referee.email);
        expect((await client().post('/api/auth/email/verify', { body: { token } })).status).toBe(
          200,
        );
      }
      expect(await me(referrer.access_token)).toMatchObject({ up_coins: REWARDS_PER_DAY * REWARD });
      const { rows } = await db.query<{ paid: boolean }>(
        `SELECT paid_at IS NOT NULL AS paid FROM users.referral_rewards WHERE referrer_id = $1`,
        [referrer.id],
      );
      expect(rows.filter((r) => !r.paid)).toHaveLength(1);
    });
  });
});
