import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@up/config';
import { EventsConfig } from './events.config';

/**
 * NODE_ENV is unset below, which means production: production requires the bus keys (libs/config),
 * so they are set and only the variable under test varies.
 */
const PRODUCTION_BUS_KEYS = {
  BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
  BUS_TRUSTED_KEYS: `gateway=${randomBytes(32).toString('hex')}`,
};

function load(env: Record<string, string>): EventsConfig {
  return loadConfig(EventsConfig, { ...PRODUCTION_BUS_KEYS, ...env });
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

describe(EventsConfig.name, () => {
  it('handles 256 bus messages at once by default (group commit), as configured otherwise', () => {
    expect(load({}).BUS_CONCURRENCY).toBe(256);
    expect(load({ BUS_CONCURRENCY: '64' }).BUS_CONCURRENCY).toBe(64);
    expect(problemsOf({ BUS_CONCURRENCY: '0' }).join()).toContain('BUS_CONCURRENCY');
  });

  it('shows event times in Moscow time by default', () => {
    expect(load({}).DEFAULT_EVENT_TIMEZONE).toBe('Europe/Moscow');
  });

  it('reminds 24 hours and 1 hour before the start by default, every 30 s', () => {
    const config = load({});
    expect(config.reminderOffsets.map((o) => o.label)).toEqual(['24h', '1h']);
    expect(config.EVENT_REMINDER_INTERVAL_MS).toBe(30000);
  });

  it('accepts reminder offsets of seconds', () => {
    expect(load({ EVENT_REMINDER_OFFSETS: '4s,90s' }).reminderOffsets).toEqual([
      { label: '90s', ms: 90_000 },
      { label: '4s', ms: 4000 },
    ]);
  });

  it('accepts any IANA time zone', () => {
    expect(load({ DEFAULT_EVENT_TIMEZONE: 'Asia/Yekaterinburg' }).DEFAULT_EVENT_TIMEZONE).toBe(
      'Asia/Yekaterinburg',
    );
  });

  it.each([
    ['DEFAULT_EVENT_TIMEZONE', 'Moscow'],
    ['DEFAULT_EVENT_TIMEZONE', 'Mars/Olympus_Mons'],
    ['DATABASE_MIGRATE_ON_START', 'maybe'],
    ['EVENT_REMINDER_OFFSETS', '24h,soon'],
    ['EVENT_REMINDER_INTERVAL_MS', '-1'],
  ])('names %s when it is %j', (variable, value) => {
    const problems = problemsOf({ [variable]: value });

    expect(problems).not.toHaveLength(0);
    for (const problem of problems) expect(problem).toContain(variable);
  });
});
