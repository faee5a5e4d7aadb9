import { ConfigError, loadConfig } from '@up/config';
import { EventsConfig } from './events.config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(EventsConfig, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(EventsConfig.name, () => {
  it('shows event times in Moscow time by default', () => {
    expect(loadConfig(EventsConfig, {}).DEFAULT_EVENT_TIMEZONE).toBe('Europe/Moscow');
  });

  it('accepts any IANA time zone', () => {
    expect(
      loadConfig(EventsConfig, { DEFAULT_EVENT_TIMEZONE: 'Asia/Yekaterinburg' })
        .DEFAULT_EVENT_TIMEZONE,
    ).toBe('Asia/Yekaterinburg');
  });

  it.each([
    ['DEFAULT_EVENT_TIMEZONE', 'Moscow'],
    ['DEFAULT_EVENT_TIMEZONE', 'Mars/Olympus_Mons'],
    ['DATABASE_MIGRATE_ON_START', 'maybe'],
  ])('names %s when it is %j', (variable, value) => {
    const problems = problemsOf({ [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });
});
