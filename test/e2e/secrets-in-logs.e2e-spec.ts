import { randomBytes, randomUUID } from 'node:crypto';
import {
  captureLogs,
  decodeQrPng,
  FakeTelegramBotApi,
  LogCapture,
  Platform,
  startPlatform,
  telegramUser,
  TelegramTestUser,
} from '@up/testing';

/**
 * No credential ever reaches a log line. The five apps run with every log line kept (debug), and
 * the sign-in flows run through them: the bot's /login and /qr, a /login whose reply Telegram
 * refuses (a blocked bot, a flood), codes exchanged at /callback (body and query), generate-code,
 * refreshes (a reused token included), password registration and sign-in (a wrong password
 * included) and logout. Then every login code, refresh token, access token, password and the bot
 * token used is searched for in the captured lines.
 */

const WEB_APP_URL = 'https://club.example';

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

describe('secrets in logs (end to end)', () => {
  let platform: Platform;
  let telegram: FakeTelegramBotApi;
  let logs: LogCapture;
  /** Every credential the flows used, by what it is. */
  const secrets: { kind: string; value: string }[] = [];
  let nextAddress = 1;

  const remember = (kind: string, value: unknown) => {
    expect(typeof value).toBe('string');
    secrets.push({ kind, value: String(value) });
  };
  const rememberPair = (pair: TokenPair) => {
    remember('access token', pair.access_token);
    remember('refresh token', pair.refresh_token);
  };
  /** Each request from a client address of its own, so no rate limit is hit. */
  const from = () => ({ 'x-forwarded-for': `10.9.0.${nextAddress++}` });

  beforeAll(async () => {
    logs = captureLogs();
    platform = await startPlatform({
      env: { WEB_APP_URL, LOG_LEVEL: 'debug', TRUST_PROXY: 'true' },
      telegram: { botUsername: 'up_club_logs_bot' },
    });
    telegram = platform.telegram;
    remember('bot token', telegram.token);
  }, 90_000);

  afterAll(async () => {
    await platform?.close();
    logs?.stop();
  });

  /** The code in a login link, remembered. */
  function codeOf(link: string): string {
    const code = new URL(link).searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    remember('login code', code);
    return code;
  }

  /** The login link of the bot's latest sendMessage to `user` (sent or refused). */
  async function loginLinkSentTo(user: TelegramTestUser, since: number): Promise<string> {
    const call = await telegram.waitForCall(
      'sendMessage',
      (c) => Number(c.params.chat_id) === user.id && JSON.stringify(c.params).includes('code='),
      { since },
    );
    const markup = JSON.stringify(call.params.reply_markup ?? '');
    const [link] = /https?:[^"\s]+code=[^"\s&]+/.exec(markup) ?? [''];
    return link;
  }

  async function exchange(code: string, where: 'body' | 'query'): Promise<TokenPair> {
    const res = await platform.api.post<TokenPair>('/api/auth/callback', {
      headers: from(),
      ...(where === 'body' ? { body: { code } } : { query: { code } }),
    });
    expect(res.status).toBe(200);
    rememberPair(res.json);
    return res.json;
  }

  it('runs the sign-in flows of the bot and the gateway', async () => {
    const user = telegramUser({ language_code: 'en' });
    await telegram.ask(user, '/start');

    // /login answered: the code signs in (body), then refreshes, twice, and a reuse.
    let since = telegram.mark();
    telegram.sendText(user, '/login');
    const first = await exchange(codeOf(await loginLinkSentTo(user, since)), 'body');
    const refreshed = await platform.api.post<TokenPair>('/api/auth/refresh', {
      headers: from(),
      body: { refresh_token: first.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    rememberPair(refreshed.json);
    const reused = await platform.api.post('/api/auth/refresh', {
      headers: from(),
      body: { refresh_token: first.refresh_token },
    });
    expect(reused.status).toBe(401);

    // /login whose reply Telegram refuses: the member blocked the bot, then a flood limit.
    for (const answer of [{ status: 403 }, { status: 429, retryAfter: 5 }] as const) {
      since = telegram.mark();
      telegram.fail({ answer, methods: ['sendMessage'], times: 1 });
      telegram.sendText(user, '/login');
      codeOf(await loginLinkSentTo(user, since));
      // The bot tells the member (a second sendMessage, not refused) once it has logged the failure.
      await telegram.waitForCall(
        'sendMessage',
        (c) => Number(c.params.chat_id) === user.id && !c.error,
        { since },
      );
    }

    // /qr: the code in the image signs in as a query parameter (it is in the URL the gateway logs).
    since = telegram.mark();
    telegram.sendText(user, '/qr');
    const photo = await telegram.waitForCall(
      'sendPhoto',
      (c) => Number(c.params.chat_id) === user.id,
      { since },
    );
    const fromQr = await exchange(codeOf(decodeQrPng(photo.files[0].data)), 'query');

    // generate-code: a code for another device, exchanged; then logout.
    const generated = await platform.api.post('/api/auth/generate-code', {
      headers: from(),
      token: fromQr.access_token,
    });
    expect(generated.status).toBe(200);
    remember('login code', generated.json.code);
    await exchange(String(generated.json.code), 'query');
    const logout = await platform.api.post('/api/auth/logout', {
      headers: from(),
      body: { refresh_token: fromQr.refresh_token },
    });
    expect(logout.status).toBe(204);

    // Passwords: register, sign in (JSON and form), a wrong password, a too-short one.
    const email = `logs-${randomUUID()}@example.org`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    remember('password', password);
    const registered = await platform.api.post<TokenPair>('/api/auth/register', {
      headers: from(),
      body: { email, password, full_name: 'Ada Lovelace' },
    });
    expect(registered.status).toBe(201);
    rememberPair(registered.json);
    const signedIn = await platform.api.post<TokenPair>('/api/auth/token', {
      headers: from(),
      form: { grant_type: 'password', username: email, password },
    });
    expect(signedIn.status).toBe(200);
    rememberPair(signedIn.json);
    const wrongPassword = `pw-${randomBytes(12).toString('hex')}`;
    remember('password', wrongPassword);
    const wrong = await platform.api.post('/api/auth/token', {
      headers: from(),
      body: { email, password: wrongPassword },
    });
    expect(wrong.status).toBe(401);
    const shortPassword = randomBytes(3).toString('hex');
    remember('password', shortPassword);
    const short = await platform.api.post('/api/auth/register', {
      headers: from(),
      body: { email: `short-${randomUUID()}@example.org`, password: shortPassword, full_name: 'X' },
    });
    expect(short.status).toBe(400);
  });

  it('logged the refused replies, with the method but not the payload', () => {
    const refused = logs
      .lines()
      .map((line) => line.err as { type?: string; on?: { method?: string } } | undefined)
      .filter((err) => err?.type === 'TelegramError' && err.on?.method === 'sendMessage');
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });

  it('wrote no code, token or password in any log line', () => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(10);
    expect(secrets.filter(({ value }) => text.includes(value))).toEqual([]);
  });
});
