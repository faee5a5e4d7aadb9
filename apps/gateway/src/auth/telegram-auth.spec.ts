import { ErrorCode } from '@up/contracts';
import {
  loginWidgetSecret,
  miniAppSecret,
  signDataCheckString,
  verifyInitData,
  verifyLoginWidget,
} from './telegram-auth';

/**
 * Published reference vectors (signed by their authors with the tokens below, not by our own
 * signer, so a mistake shared by our signer and our checker cannot make them pass):
 * - Login Widget: aiogram's `tests/test_utils/test_auth_widget.py`;
 * - Mini App: the init data used throughout the Telegram Mini Apps (tma.js) project's
 *   documentation and tests, and aiogram's `tests/test_utils/test_web_app.py`.
 * Their auth_date is years old, so these checks run with the age limit relaxed.
 */
const WIDGET_VECTOR = {
  token: '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11',
  data: {
    id: '42',
    first_name: 'John',
    last_name: 'Smith',
    username: 'username',
    photo_url: 'https://t.me/i/userpic/320/picname.jpg',
    auth_date: '1565810688',
    hash: 'c303db2b5a06fe41d23a9b14f7c545cfc11dcc7473c07c9c5034ae60062461ce',
  },
};

const TMA_VECTOR = {
  token: '5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8',
  initData:
    'query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2',
};

const AIOGRAM_TMA_VECTOR = {
  token: '42:TEST',
  initData:
    'auth_date=1650385342&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D&query_id=test&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803',
};

const RELAXED = { maxAgeSeconds: Number.MAX_SAFE_INTEGER };
const DAY = 86400;
const BOT_TOKEN = '987654:fresh-test-token_for-unit-tests';
const now = () => Math.floor(Date.now() / 1000);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** Signs Login Widget fields the way Telegram does, with our test token. */
function signedWidget(fields: Record<string, string | number>, token = BOT_TOKEN) {
  const map = new Map(Object.entries(fields).map(([k, v]) => [k, String(v)]));
  return { ...fields, hash: signDataCheckString(loginWidgetSecret(token), map) };
}

/** Builds Mini App init data signed the way Telegram does, with our test token. */
function signedInitData(fields: Record<string, string>, token = BOT_TOKEN): string {
  const params = new URLSearchParams(fields);
  params.set('hash', signDataCheckString(miniAppSecret(token), new Map(Object.entries(fields))));
  return params.toString();
}

describe('Telegram Login Widget verification', () => {
  it('accepts the published reference vector', () => {
    const verified = verifyLoginWidget(WIDGET_VECTOR.data, {
      botToken: WIDGET_VECTOR.token,
      ...RELAXED,
    });
    expect(verified.user).toMatchObject({ id: 42, first_name: 'John', username: 'username' });
    expect(verified.auth_date).toBe(1565810688);
  });

  it('refuses the reference vector with a field removed or changed, or another bot token', () => {
    const { username: _dropped, ...withoutUsername } = WIDGET_VECTOR.data;
    expect(
      codeOf(() =>
        verifyLoginWidget(withoutUsername, { botToken: WIDGET_VECTOR.token, ...RELAXED }),
      ),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
    expect(
      codeOf(() =>
        verifyLoginWidget(
          { ...WIDGET_VECTOR.data, id: '43' },
          { botToken: WIDGET_VECTOR.token, ...RELAXED },
        ),
      ),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
    expect(
      codeOf(() => verifyLoginWidget(WIDGET_VECTOR.data, { botToken: BOT_TOKEN, ...RELAXED })),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
  });

  it('refuses the reference vector under the real 24 h age limit', () => {
    expect(
      codeOf(() =>
        verifyLoginWidget(WIDGET_VECTOR.data, {
          botToken: WIDGET_VECTOR.token,
          maxAgeSeconds: DAY,
        }),
      ),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
  });

  it('accepts freshly signed data, with JSON numbers as the client posts them', () => {
    const body = signedWidget({ id: 279058397, first_name: 'Ada', auth_date: now() - 60 });
    const verified = verifyLoginWidget(body, { botToken: BOT_TOKEN, maxAgeSeconds: DAY });
    expect(verified.user).toEqual({ id: 279058397, first_name: 'Ada' });
  });

  it('refuses tampered fields, an added field and a tampered hash', () => {
    const body = signedWidget({ id: 1, first_name: 'Ada', username: 'ada', auth_date: now() });
    const options = { botToken: BOT_TOKEN, maxAgeSeconds: DAY };
    expect(codeOf(() => verifyLoginWidget({ ...body, username: 'admin' }, options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    expect(codeOf(() => verifyLoginWidget({ ...body, photo_url: 'https://x' }, options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    const flipped = body.hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(codeOf(() => verifyLoginWidget({ ...body, hash: flipped }, options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    expect(codeOf(() => verifyLoginWidget({ ...body, hash: 'abc' }, options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    expect(codeOf(() => verifyLoginWidget({ ...body, nested: { a: 1 } }, options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
  });

  it('refuses data older than the limit and data from the future', () => {
    const options = { botToken: BOT_TOKEN, maxAgeSeconds: DAY };
    const old = signedWidget({ id: 1, first_name: 'Ada', auth_date: now() - DAY - 5 });
    expect(() => verifyLoginWidget(old, options)).toThrow('too old');
    const future = signedWidget({ id: 1, first_name: 'Ada', auth_date: now() + 3600 });
    expect(codeOf(() => verifyLoginWidget(future, options))).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
    const borderline = signedWidget({ id: 1, first_name: 'Ada', auth_date: now() - DAY + 5 });
    expect(verifyLoginWidget(borderline, options).user.id).toBe(1);
  });
});

describe('Telegram Mini App init data verification', () => {
  it('accepts the published reference vectors', () => {
    const verified = verifyInitData(TMA_VECTOR.initData, {
      botToken: TMA_VECTOR.token,
      ...RELAXED,
    });
    expect(verified.user).toEqual({
      id: 279058397,
      first_name: 'Vladislav',
      last_name: 'Kibenko',
      username: 'vdkfrost',
      language_code: 'ru',
    });
    expect(verified.auth_date).toBe(1662771648);
    const aiogram = verifyInitData(AIOGRAM_TMA_VECTOR.initData, {
      botToken: AIOGRAM_TMA_VECTOR.token,
      ...RELAXED,
    });
    expect(aiogram.user).toMatchObject({ id: 42, first_name: 'Test' });
  });

  it('refuses the reference vector with another token, a changed field, or under the real age limit', () => {
    expect(
      codeOf(() => verifyInitData(TMA_VECTOR.initData, { botToken: '42:TEST', ...RELAXED })),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
    const tampered = TMA_VECTOR.initData.replace('279058397', '279058398');
    expect(codeOf(() => verifyInitData(tampered, { botToken: TMA_VECTOR.token, ...RELAXED }))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    expect(
      codeOf(() =>
        verifyInitData(TMA_VECTOR.initData, { botToken: TMA_VECTOR.token, maxAgeSeconds: DAY }),
      ),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
  });

  it('does not accept a Login Widget signature as init data, nor the reverse', () => {
    const fields = { auth_date: String(now()), user: JSON.stringify({ id: 7, first_name: 'Eve' }) };
    const widgetSigned = new URLSearchParams({
      ...fields,
      hash: signDataCheckString(loginWidgetSecret(BOT_TOKEN), new Map(Object.entries(fields))),
    }).toString();
    expect(
      codeOf(() => verifyInitData(widgetSigned, { botToken: BOT_TOKEN, maxAgeSeconds: DAY })),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
  });

  it('accepts freshly signed init data, signature field included in the check', () => {
    const initData = signedInitData({
      query_id: 'AAH1',
      user: JSON.stringify({ id: 555, first_name: 'Ada', username: 'ada', language_code: 'en' }),
      auth_date: String(now() - 10),
      signature: 'ed25519-signature-for-third-parties',
    });
    const verified = verifyInitData(initData, { botToken: BOT_TOKEN, maxAgeSeconds: DAY });
    expect(verified.user).toMatchObject({ id: 555, username: 'ada', language_code: 'en' });
  });

  it('refuses a tampered user, a duplicated key, a missing hash or user, and old data', () => {
    const options = { botToken: BOT_TOKEN, maxAgeSeconds: DAY };
    const user = JSON.stringify({ id: 555, first_name: 'Ada' });
    const good = signedInitData({ user, auth_date: String(now()) });
    const tampered = good.replace(encodeURIComponent('555'), encodeURIComponent('556'));
    expect(tampered).not.toBe(good);
    expect(codeOf(() => verifyInitData(tampered, options))).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
    expect(codeOf(() => verifyInitData(`${good}&user=${encodeURIComponent(user)}`, options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    expect(codeOf(() => verifyInitData(good.replace(/&?hash=[0-9a-f]+/, ''), options))).toBe(
      ErrorCode.INVALID_TELEGRAM_AUTH,
    );
    expect(
      codeOf(() => verifyInitData(signedInitData({ auth_date: String(now()) }), options)),
    ).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
    const old = signedInitData({ user, auth_date: String(now() - DAY - 60) });
    expect(() => verifyInitData(old, options)).toThrow('too old');
    expect(codeOf(() => verifyInitData('', options))).toBe(ErrorCode.INVALID_TELEGRAM_AUTH);
  });
});
