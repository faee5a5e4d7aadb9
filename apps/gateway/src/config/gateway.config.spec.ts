import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@up/config';
import { DEVELOPMENT_JWT_SECRET, GatewayConfig } from './gateway.config';

/** What `openssl rand -hex 32` gives. */
const PRODUCTION_SECRET = randomBytes(32).toString('hex');
/** The bus keys production requires of every app (libs/config), set so only JWT_SECRET varies. */
const PRODUCTION_BUS_KEYS = {
  BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
  BUS_TRUSTED_KEYS: `users=${randomBytes(32).toString('hex')}`,
};

/** Problems of `env` in development unless it sets NODE_ENV itself. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(GatewayConfig, { NODE_ENV: 'development', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(GatewayConfig.name, () => {
  it('starts a developer machine with defaults only', () => {
    const sut = loadConfig(GatewayConfig, { NODE_ENV: 'development' });

    expect(sut).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      JWT_ACCESS_TTL: 900,
      TRUST_PROXY: false,
      WEB_APP_URL: 'http://localhost:5173',
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      CORS_ORIGINS: [],
      READY_TIMEOUT_MS: 1000,
      API_DOCS_ENABLED: true,
    });
    expect(sut.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(sut.usesDevelopmentJwtSecret()).toBe(true);
    expect(sut.corsOrigins()).toEqual(['http://localhost:5173']);
  });

  it('reads typed values from the environment', () => {
    const sut = loadConfig(GatewayConfig, {
      NODE_ENV: 'development',
      PORT: '8080',
      JWT_SECRET: 'a-secret',
      JWT_ACCESS_TTL: '3600',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      CORS_ORIGINS: 'https://club.example, http://localhost:3001',
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_GHI',
      API_DOCS_ENABLED: 'false',
    });

    expect(sut).toMatchObject({
      PORT: 8080,
      JWT_ACCESS_TTL: 3600,
      TRUST_PROXY: ['10.0.0.0/8', '192.168.1.1'],
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_GHI',
      API_DOCS_ENABLED: false,
    });
    expect(sut.usesDevelopmentJwtSecret()).toBe(false);
    expect(sut.corsOrigins()).toEqual(['https://club.example', 'http://localhost:3001']);
  });

  it.each([
    ['true', true],
    ['false', false],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig(GatewayConfig, { NODE_ENV: 'test', TRUST_PROXY: value }).TRUST_PROXY).toEqual(
      expected,
    );
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['JWT_ACCESS_TTL', 'soon'],
    ['TRUST_PROXY', 'my proxy'],
    ['TRUST_PROXY', '2'],
    ['WEB_APP_URL', 'localhost:5173'],
    ['TELEGRAM_BOT_TOKEN', 'not-a-token'],
    ['TELEGRAM_API_ROOT', 'ftp://api.telegram.org'],
    ['CORS_ORIGINS', 'club.example'],
    ['READY_TIMEOUT_MS', '5'],
    ['REDIS_URL', 'localhost:6379'],
    ['NODE_ENV', 'staging'],
    ['API_DOCS_ENABLED', 'maybe'],
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

  it.each([
    // What k8s/secret.yaml used to ship, and what people type.
    ['the shipped placeholder', 'CHANGE_ME_to_at_least_32_random_characters'],
    ['a phrase', 'the-up-club-jwt-signing-secret-2024'],
    ['a repeated character', 'p'.repeat(40)],
    ['a short alphabet', '0123'.repeat(10).split('').reverse().join('')],
  ])('refuses %s as JWT_SECRET in production, without printing it', (_kind, secret) => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ...PRODUCTION_BUS_KEYS,
      JWT_SECRET: secret,
    });

    expect(problems).toEqual([expect.stringMatching(/^JWT_SECRET /)]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('fails closed when NODE_ENV is unset: the development secret is refused', () => {
    expect(() => loadConfig(GatewayConfig, PRODUCTION_BUS_KEYS)).toThrow(
      /JWT_SECRET is required when NODE_ENV=production/,
    );
    expect(
      loadConfig(GatewayConfig, { ...PRODUCTION_BUS_KEYS, JWT_SECRET: PRODUCTION_SECRET }).NODE_ENV,
    ).toBe('production');
  });

  it('refuses a placeholder Telegram bot token in production', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        ...PRODUCTION_BUS_KEYS,
        JWT_SECRET: PRODUCTION_SECRET,
        TELEGRAM_BOT_TOKEN: '123456:CHANGE_ME',
      }),
    ).toEqual([expect.stringContaining('TELEGRAM_BOT_TOKEN')]);
  });

  it('names every failing variable at once', () => {
    const problems = problemsOf({ PORT: 'x', WEB_APP_URL: 'nope' });

    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('WEB_APP_URL'))).toBe(true);
  });
});
