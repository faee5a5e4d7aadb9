import { ConfigError, loadConfig } from '@up/config';
import { DEVELOPMENT_JWT_SECRET, GatewayConfig } from './gateway.config';

const PRODUCTION_SECRET = 'p'.repeat(40);
/** The bus keys production requires of every app (libs/config), set so only JWT_SECRET varies. */
const PRODUCTION_BUS_KEYS = {
  BUS_SIGNING_KEY: 'b'.repeat(40),
  BUS_TRUSTED_KEYS: `users=${'u'.repeat(40)}`,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(GatewayConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(GatewayConfig.name, () => {
  it('starts a developer machine with defaults only', () => {
    const sut = loadConfig(GatewayConfig, {});

    expect(sut).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      JWT_ACCESS_TTL: 900,
      TRUST_PROXY: false,
      WEB_APP_URL: 'http://localhost:5173',
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      CORS_ORIGINS: [],
      READY_TIMEOUT_MS: 1000,
    });
    expect(sut.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(sut.usesDevelopmentJwtSecret()).toBe(true);
    expect(sut.corsOrigins()).toEqual(['http://localhost:5173']);
  });

  it('reads typed values from the environment', () => {
    const sut = loadConfig(GatewayConfig, {
      PORT: '8080',
      JWT_SECRET: 'a-secret',
      JWT_ACCESS_TTL: '3600',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      CORS_ORIGINS: 'https://club.example, http://localhost:3001',
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_GHI',
    });

    expect(sut).toMatchObject({
      PORT: 8080,
      JWT_ACCESS_TTL: 3600,
      TRUST_PROXY: ['10.0.0.0/8', '192.168.1.1'],
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_GHI',
    });
    expect(sut.usesDevelopmentJwtSecret()).toBe(false);
    expect(sut.corsOrigins()).toEqual(['https://club.example', 'http://localhost:3001']);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig(GatewayConfig, { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['JWT_ACCESS_TTL', 'soon'],
    ['TRUST_PROXY', 'my proxy'],
    ['WEB_APP_URL', 'localhost:5173'],
    ['TELEGRAM_BOT_TOKEN', 'not-a-token'],
    ['TELEGRAM_API_ROOT', 'ftp://api.telegram.org'],
    ['CORS_ORIGINS', 'club.example'],
    ['READY_TIMEOUT_MS', '5'],
    ['REDIS_URL', 'localhost:6379'],
    ['NODE_ENV', 'staging'],
  ])('names %s when it is %j', (variable, value) => {
    const problems = problemsOf({ [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });

  it('requires JWT_SECRET in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...PRODUCTION_BUS_KEYS })).toEqual([
      expect.stringContaining('JWT_SECRET is required when NODE_ENV=production'),
    ]);
    expect(
      problemsOf({ NODE_ENV: 'production', ...PRODUCTION_BUS_KEYS, JWT_SECRET: 'short' }),
    ).toEqual([expect.stringContaining('JWT_SECRET')]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        ...PRODUCTION_BUS_KEYS,
        JWT_SECRET: DEVELOPMENT_JWT_SECRET,
      }),
    ).toHaveLength(1);
    expect(
      loadConfig(GatewayConfig, {
        NODE_ENV: 'production',
        ...PRODUCTION_BUS_KEYS,
        JWT_SECRET: PRODUCTION_SECRET,
      }).JWT_SECRET,
    ).toBe(PRODUCTION_SECRET);
  });

  it('names every failing variable at once', () => {
    const problems = problemsOf({ PORT: 'x', WEB_APP_URL: 'nope' });

    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('WEB_APP_URL'))).toBe(true);
  });
});
