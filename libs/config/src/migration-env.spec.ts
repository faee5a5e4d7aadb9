import { CommonEnv, MigrationEnv } from './common-env';
import { ConfigError, loadConfig } from './load-config';

describe(MigrationEnv.name, () => {
  const production = {
    NODE_ENV: 'production',
    DATABASE_URL:
      'postgres://up_club:9f4c2e7a1b8d3f6e0c5a9b2d7e4f1a8c3b6d9e2f@db.internal:5432/up_club',
  };

  it('runs a production migration with the database alone: no bus keys, no app secrets', () => {
    expect(loadConfig(MigrationEnv, production)).toMatchObject({
      DATABASE_URL: production.DATABASE_URL,
      DATABASE_POOL_SIZE: 10,
    });
    // What an app itself needs in production is more (the bus keys among it).
    expect(() => loadConfig(CommonEnv, production)).toThrow(ConfigError);
  });

  it('still refuses a weak database password in production', () => {
    expect(() =>
      loadConfig(MigrationEnv, {
        ...production,
        DATABASE_URL: 'postgres://up_club:password@db.internal:5432/up_club',
      }),
    ).toThrow(/DATABASE_URL/);
  });
});
