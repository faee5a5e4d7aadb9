import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@up/config';
import { UsersConfig } from './users.config';

/** Outside production unless a test says otherwise (NODE_ENV unset means production). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(UsersConfig, { NODE_ENV: 'development', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(UsersConfig.name, () => {
  it('has defaults for a developer machine', () => {
    expect(loadConfig(UsersConfig, { NODE_ENV: 'development' })).toMatchObject({
      ADMIN_TELEGRAM_IDS: [],
      ADMIN_EMAILS: [],
      REFERRAL_REWARD_COINS: 50,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/up_club',
      DATABASE_MIGRATE_ON_START: true,
    });
  });

  it('reads admin lists, trimmed, emails lower-cased', () => {
    const sut = loadConfig(UsersConfig, {
      NODE_ENV: 'development',
      ADMIN_TELEGRAM_IDS: '111, 222,,',
      ADMIN_EMAILS: 'Boss@Club.example , ops@club.example',
      REFERRAL_REWARD_COINS: '0',
    });

    expect(sut.ADMIN_TELEGRAM_IDS).toEqual(['111', '222']);
    expect(sut.ADMIN_EMAILS).toEqual(['boss@club.example', 'ops@club.example']);
    expect(sut.REFERRAL_REWARD_COINS).toBe(0);
  });

  it.each([
    ['ADMIN_TELEGRAM_IDS', '111,abc'],
    ['ADMIN_EMAILS', 'boss@club.example,not-an-email'],
    ['REFERRAL_REWARD_COINS', '-1'],
    ['REFERRAL_REWARD_COINS', 'fifty'],
    ['DATABASE_URL', 'mysql://127.0.0.1/up'],
    ['DATABASE_POOL_SIZE', '0'],
  ])('names %s when it is %j', (variable, value) => {
    const problems = problemsOf({ [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });

  it('needs SMTP_URL in production (NODE_ENV unset included), with a real password, and names it', () => {
    // The bus keys production requires of every app (libs/config), so only SMTP_URL varies.
    const production = {
      NODE_ENV: 'production',
      BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
      BUS_TRUSTED_KEYS: `gateway=${randomBytes(32).toString('hex')}`,
    };
    const smtp =
      'smtps://mailer:9f4c2e7a1b8d3f6e0c5a9b2d7e4f1a8c3b6d9e2f5a8c1b4e7d0a3f6c9b2e5d8a@mail.example:465';

    expect(problemsOf({ NODE_ENV: 'production' }).join('\n')).toMatch(/SMTP_URL is required/);
    expect(problemsOf({ NODE_ENV: '' }).join('\n')).toMatch(/SMTP_URL is required/);
    expect(problemsOf({ ...production, SMTP_URL: 'smtps://u:password@mail.example:465' })).toEqual([
      expect.stringContaining('SMTP_URL'),
    ]);
    expect(loadConfig(UsersConfig, { ...production, SMTP_URL: smtp }).SMTP_URL).toBe(smtp);
    expect(loadConfig(UsersConfig, { NODE_ENV: 'development' }).SMTP_URL).toBeUndefined();
    expect(problemsOf({ SMTP_URL: 'http://mail.example' }).join('\n')).toMatch(/SMTP_URL/);
  });
});
