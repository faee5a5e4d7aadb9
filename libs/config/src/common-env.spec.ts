import { CommonEnv } from './common-env';
import { ConfigError, loadConfig } from './load-config';

const KEY = 'k'.repeat(40);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(CommonEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('CommonEnv bus keys', () => {
  it('are optional in development and test (development keys apply)', () => {
    expect(problemsOf({ NODE_ENV: 'development' })).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'test' })).toEqual([]);
  });

  it('are required in production, long enough, and never printed', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringContaining('BUS_SIGNING_KEY is required'),
      expect.stringContaining('BUS_TRUSTED_KEYS is required'),
    ]);
    const problems = problemsOf({
      NODE_ENV: 'production',
      BUS_SIGNING_KEY: 'short-key',
      BUS_TRUSTED_KEYS: `gateway=${KEY},bot=tiny`,
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/short-key|tiny|kkkk/);
  });

  it('reads BUS_TRUSTED_KEYS as name=key pairs', () => {
    const sut = loadConfig(CommonEnv, {
      NODE_ENV: 'production',
      BUS_SIGNING_KEY: KEY,
      BUS_TRUSTED_KEYS: ` gateway=${KEY}, bot = ${KEY}x ,`,
    });

    expect(sut.BUS_TRUSTED_KEYS).toEqual({ gateway: KEY, bot: `${KEY}x` });
  });
});
