import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@up/config';
import { AuthCodesConfig } from './auth-codes.config';

/**
 * NODE_ENV is unset below, which means production: production requires the bus keys (libs/config),
 * so they are set and only the variable under test varies.
 */
const PRODUCTION_BUS_KEYS = {
  BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
  BUS_TRUSTED_KEYS: `gateway=${randomBytes(32).toString('hex')}`,
};

function load(env: Record<string, string>): AuthCodesConfig {
  return loadConfig(AuthCodesConfig, { ...PRODUCTION_BUS_KEYS, ...env });
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(AuthCodesConfig.name, () => {
  it('has defaults for a developer machine', () => {
    expect(load({})).toMatchObject({
      AUTH_CODE_TTL_SECONDS: 600,
      REFRESH_TOKEN_TTL_DAYS: 30,
    });
  });

  it('reads typed values', () => {
    expect(load({ AUTH_CODE_TTL_SECONDS: '120', REFRESH_TOKEN_TTL_DAYS: '7' })).toMatchObject({
      AUTH_CODE_TTL_SECONDS: 120,
      REFRESH_TOKEN_TTL_DAYS: 7,
    });
  });

  it.each([
    ['AUTH_CODE_TTL_SECONDS', '0'],
    ['AUTH_CODE_TTL_SECONDS', '10m'],
    ['REFRESH_TOKEN_TTL_DAYS', '1000'],
    ['DATABASE_URL', 'not a url'],
    ['BUS_REQUEST_TIMEOUT_MS', '0'],
  ])('names %s when it is %j', (variable, value) => {
    const problems = problemsOf({ [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });
});
