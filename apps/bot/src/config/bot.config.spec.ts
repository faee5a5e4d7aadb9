import { ConfigError, loadConfig } from '@up/config';
import { BotConfig } from './bot.config';

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
    const sut = loadConfig(BotConfig, {});

    expect(sut.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(sut).toMatchObject({
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      WEB_APP_URL: 'http://localhost:5173',
    });
  });

  it('reads the token and the Bot API root', () => {
    expect(
      loadConfig(BotConfig, {
        TELEGRAM_BOT_TOKEN: '42:secret-token',
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
      }),
    ).toMatchObject({
      TELEGRAM_BOT_TOKEN: '42:secret-token',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
    });
  });

  it('polls by default, with a 15 s lease; serves a webhook on 3001 when asked to', () => {
    expect(loadConfig(BotConfig, {})).toMatchObject({
      BOT_POLL_LEASE_SECONDS: 15,
      BOT_HTTP_PORT: 3001,
    });
    expect(loadConfig(BotConfig, {}).TELEGRAM_WEBHOOK_URL).toBeUndefined();
    expect(
      loadConfig(BotConfig, {
        TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(32),
      }),
    ).toMatchObject({ TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook' });
  });

  it('requires TELEGRAM_WEBHOOK_SECRET with TELEGRAM_WEBHOOK_URL, naming it', () => {
    const problems = problemsOf({ TELEGRAM_WEBHOOK_URL: 'https://club.example/telegram/webhook' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL');
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
    const problems = problemsOf({ [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });
});
