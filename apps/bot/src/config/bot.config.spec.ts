import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@up/config';
import { BotConfig } from './bot.config';

/** The bus keys production (NODE_ENV unset included) requires of every app (libs/config). */
const PRODUCTION_BUS_KEYS = {
  BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
  BUS_TRUSTED_KEYS: `users=${randomBytes(32).toString('hex')}`,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(BotConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(BotConfig.name, () => {
  it('starts without a bot token (the bot stays idle)', () => {
    const sut = loadConfig(BotConfig, PRODUCTION_BUS_KEYS);

    expect(sut.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(sut).toMatchObject({
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      WEB_APP_URL: 'http://localhost:5173',
    });
  });

  it('reads the token and the Bot API root', () => {
    expect(
      loadConfig(BotConfig, {
        NODE_ENV: 'test',
        TELEGRAM_BOT_TOKEN: '42:secret-token',
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
      }),
    ).toMatchObject({
      TELEGRAM_BOT_TOKEN: '42:secret-token',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
    });
  });

  it('polls by default, with a 15 s lease; serves a webhook on 3001 when asked to', () => {
    expect(loadConfig(BotConfig, { NODE_ENV: 'test' })).toMatchObject({
      BOT_POLL_LEASE_SECONDS: 15,
      BOT_HTTP_PORT: 3001,
    });
    expect(loadConfig(BotConfig, PRODUCTION_BUS_KEYS).TELEGRAM_WEBHOOK_URL).toBeUndefined();
    expect(
      loadConfig(BotConfig, {
        NODE_ENV: 'test',
        TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(32),
      }),
    ).toMatchObject({ TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook' });
  });

  it('requires TELEGRAM_WEBHOOK_SECRET with TELEGRAM_WEBHOOK_URL, naming it', () => {
    const problems = problemsOf({
      NODE_ENV: 'test',
      TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook',
    });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL');
  });

  it('takes only a generated webhook secret in production', () => {
    const production = {
      ...PRODUCTION_BUS_KEYS,
      TELEGRAM_BOT_TOKEN: '7012345678:AAHq3vK9-x2Lr8TzW4mN_c6JpYb1sDf0gQe',
      TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook',
    };

    expect(problemsOf({ ...production, TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(32) })).toEqual([
      expect.stringContaining('TELEGRAM_WEBHOOK_SECRET'),
    ]);
    expect(
      loadConfig(BotConfig, {
        ...production,
        TELEGRAM_WEBHOOK_SECRET: '9f4c2e7a1b8d3f6e0c5a9b2d7e4f1a8c3b6d9e2f5a8c1b4e7d0a3f6c9b2e5d8a',
      }).TELEGRAM_WEBHOOK_URL,
    ).toBe(production.TELEGRAM_WEBHOOK_URL);
  });

  it('takes only a real token in production (NODE_ENV unset included)', () => {
    const token = '7012345678:AAHq3vK9-x2Lr8TzW4mN_c6JpYb1sDf0gQe';

    expect(problemsOf({ ...PRODUCTION_BUS_KEYS, TELEGRAM_BOT_TOKEN: '42:secret-token' })).toEqual([
      expect.stringContaining('TELEGRAM_BOT_TOKEN is required when NODE_ENV=production'),
    ]);
    expect(
      loadConfig(BotConfig, { ...PRODUCTION_BUS_KEYS, TELEGRAM_BOT_TOKEN: token })
        .TELEGRAM_BOT_TOKEN,
    ).toBe(token);
  });

  it.each([
    ['TELEGRAM_WEBHOOK_URL', 'club.example/hook'],
    ['BOT_HTTP_PORT', '70000'],
    ['BOT_POLL_LEASE_SECONDS', '0'],
    ['TELEGRAM_BOT_TOKEN', 'secret'],
    ['TELEGRAM_API_ROOT', 'api.telegram.org'],
    ['WEB_APP_URL', 'club'],
    ['LOG_LEVEL', 'loud'],
  ])('names %s when it is %j', (variable, value) => {
    const problems = problemsOf({ NODE_ENV: 'test', [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });
});
