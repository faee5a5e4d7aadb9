import { ConfigError, loadConfig } from '@up/config';
import { AuthCodesConfig } from './auth-codes.config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(AuthCodesConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(AuthCodesConfig.name, () => {
  it('has defaults for a developer machine', () => {
    expect(loadConfig(AuthCodesConfig, {})).toMatchObject({
      AUTH_CODE_TTL_SECONDS: 600,
      REFRESH_TOKEN_TTL_DAYS: 30,
    });
  });

  it('reads typed values', () => {
    expect(
      loadConfig(AuthCodesConfig, { AUTH_CODE_TTL_SECONDS: '120', REFRESH_TOKEN_TTL_DAYS: '7' }),
    ).toMatchObject({ AUTH_CODE_TTL_SECONDS: 120, REFRESH_TOKEN_TTL_DAYS: 7 });
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
