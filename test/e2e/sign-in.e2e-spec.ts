import { PUBLIC_PROFILE_FIELDS } from '@up/contracts';
import {
  decodeQrPng,
  FakeTelegramBotApi,
  Platform,
  startPlatform,
  telegramUser,
  TelegramTestUser,
} from '@up/testing';

/**
 * Issue 3 end to end, over the five real apps: a Telegram user starts the bot and asks for a
 * login link; the web frontend exchanges the code from the link at the gateway for tokens, reads
 * the member's profile (200, then 304 with the ETag) and the public profile; the code does not
 * work twice. The QR code carries the same kind of link, and its code signs in too.
 */

const WEB_APP_URL = 'https://club.example';

interface SignedIn {
  token: string;
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: Record<string, unknown>;
}

/** The code in a `<WEB_APP_URL>/auth/callback?code=...` link, after checking the link's shape. */
function codeFromLink(link: string): string {
  const url = new URL(link);
  expect(`${url.origin}${url.pathname}`).toBe(`${WEB_APP_URL}/auth/callback`);
  const code = url.searchParams.get('code');
  expect(code).toBeTruthy();
  return code ?? '';
}

describe('sign-in through the Telegram bot (end to end)', () => {
  let platform: Platform;
  let telegram: FakeTelegramBotApi;

  beforeAll(async () => {
    platform = await startPlatform({
      env: { WEB_APP_URL },
      telegram: { botUsername: 'up_club_e2e_bot' },
    });
    telegram = platform.telegram;
  }, 90_000);

  afterAll(() => platform?.close());

  async function loginCode(user: TelegramTestUser): Promise<string> {
    const reply = await telegram.ask(user, '/login');
    const button = (reply.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.url);
    expect(button).toBeDefined();
    return codeFromLink(button?.url ?? '');
  }

  it('signs a Telegram member in on the web with the code from /login', async () => {
    const user = telegramUser({ language_code: 'en' });
    expect((await telegram.ask(user, '/start')).text).toContain('Welcome to UP Club');
    const code = await loginCode(user);

    const signIn = await platform.api.post<SignedIn>('/api/auth/callback', { body: { code } });
    expect(signIn.status).toBe(200);
    const tokens = signIn.json;
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
    expect(tokens.token).toBe(tokens.access_token);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.user).toMatchObject({ telegram_id: user.id, username: user.username });

    // The member's private profile, cached by ETag.
    const me = await platform.api.get('/api/users/me', { token: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      id: tokens.user.id,
      telegram_id: user.id,
      first_name: user.first_name,
    });
    const etag = me.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(me.headers.get('cache-control')).toBe('private, max-age=300');
    expect(me.headers.get('vary')).toMatch(/authorization/i);

    const again = await platform.api.get('/api/users/me', {
      token: tokens.access_token,
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);

    // The public profile: only the allow-listed fields.
    const referralCode = String(me.json.referral_code);
    const card = await platform.api.get<{ success: boolean; user: Record<string, unknown> }>(
      `/api/users/u/${referralCode}`,
    );
    expect(card.status).toBe(200);
    expect(card.json.success).toBe(true);
    expect(Object.keys(card.json.user).sort()).toEqual([...PUBLIC_PROFILE_FIELDS].sort());
    expect(card.json.user).toMatchObject({ id: tokens.user.id, referral_code: referralCode });

    // A code works once.
    const replay = await platform.api.post('/api/auth/callback', { body: { code } });
    expect(replay.status).toBe(401);
    expect(replay.json).toMatchObject({ statusCode: 401, message: 'Invalid or expired auth code' });
  });

  it('signs in with the code in the QR image from /qr, given as a query parameter', async () => {
    const user = telegramUser({ language_code: 'ru' });
    telegram.sendText(user, '/qr');
    const photo = await telegram.waitForCall(
      'sendPhoto',
      (c) => Number(c.params.chat_id) === user.id,
    );
    const code = codeFromLink(decodeQrPng(photo.files[0].data));

    const signIn = await platform.api.post<SignedIn>('/api/auth/callback', {
      query: { code, telegram_id: user.id },
    });
    expect(signIn.status).toBe(200);
    expect(signIn.json.user).toMatchObject({ telegram_id: user.id });
  });

  it('refuses a code presented with another Telegram account', async () => {
    const user = telegramUser();
    const code = await loginCode(user);
    const stranger = await platform.api.post('/api/auth/callback', {
      body: { code, telegram_id: user.id + 1 },
    });
    expect(stranger.status).toBe(401);
  });
});
