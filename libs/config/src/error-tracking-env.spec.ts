import { CommonEnv, ErrorTrackingEnv } from './common-env';
import { loadConfig } from './load-config';

describe(ErrorTrackingEnv.name, () => {
  it.each([
    'https://0123456789abcdef@o123.ingest.sentry.io/4505',
    'http://publickey@127.0.0.1:9000/1',
    'https://key@sentry.internal/sub/path/42',
  ])('accepts the DSN %s', (dsn) => {
    expect(loadConfig(ErrorTrackingEnv, { SENTRY_DSN: dsn }).SENTRY_DSN).toBe(dsn);
  });

  it.each(['not a url', 'https://sentry.io/42', 'ftp://key@host/1', 'https://key@host/project'])(
    'refuses the DSN %s, naming the variable',
    (dsn) => {
      expect(() => loadConfig(ErrorTrackingEnv, { SENTRY_DSN: dsn })).toThrow(
        /SENTRY_DSN must be a Sentry DSN/,
      );
    },
  );

  it('is off by default, and part of every app configuration', () => {
    const sut = loadConfig(CommonEnv, { NODE_ENV: 'test' });

    expect(sut.SENTRY_DSN).toBeUndefined();
    expect(() =>
      loadConfig(CommonEnv, { NODE_ENV: 'test', SENTRY_ENVIRONMENT: 'has spaces' }),
    ).toThrow(/SENTRY_ENVIRONMENT/);
  });
});
