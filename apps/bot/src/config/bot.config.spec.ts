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
        NODE_ENV: 'test',
        TELEGRAM_BOT_TOKEN: '42:secret-token',
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
      }),
    ).toMatchObject({
      TELEGRAM_BOT_TOKEN: '42:secret-token',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081',
    });
  });

  it('takes only a real token in production (NODE_ENV unset included)', () => {
    const token = '7012345678:AAHq3vK9-x2Lr8TzW4mN_c6JpYb1sDf0gQe';

    expect(problemsOf({ TELEGRAM_BOT_TOKEN: '42:secret-token' })).toEqual([
      expect.stringContaining('TELEGRAM_BOT_TOKEN is required when NODE_ENV=production'),
    ]);
    expect(loadConfig(BotConfig, { TELEGRAM_BOT_TOKEN: token }).TELEGRAM_BOT_TOKEN).toBe(token);
  });

  it.each([
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
