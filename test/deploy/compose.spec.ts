import { randomBytes } from 'node:crypto';
import { ConfigError, DatabaseEnv, loadConfig } from '@up/config';
import {
  APPS,
  AppName,
  ComposeFile,
  ComposeService,
  DATABASE_APPS,
  interpolate,
  loadCompose,
  migratePathOf,
  variablesOf,
} from './deploy-files';

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** Variables each app cannot do without in a production-like deployment. */
const REQUIRED_ENV: Record<AppName, string[]> = {
  gateway: [
    'NODE_ENV',
    'REDIS_URL',
    'PORT',
    'JWT_SECRET',
    'BUS_SIGNING_KEY',
    'BUS_TRUSTED_KEYS',
    'WEB_APP_URL',
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_API_ROOT',
  ],
  users: [
    'NODE_ENV',
    'REDIS_URL',
    'DATABASE_URL',
    'DATABASE_MIGRATE_ON_START',
    'BUS_SIGNING_KEY',
    'BUS_TRUSTED_KEYS',
  ],
  'auth-codes': [
    'NODE_ENV',
    'REDIS_URL',
    'DATABASE_URL',
    'DATABASE_MIGRATE_ON_START',
    'BUS_SIGNING_KEY',
    'BUS_TRUSTED_KEYS',
  ],
  events: [
    'NODE_ENV',
    'REDIS_URL',
    'DATABASE_URL',
    'DATABASE_MIGRATE_ON_START',
    'BUS_SIGNING_KEY',
    'BUS_TRUSTED_KEYS',
  ],
  bot: [
    'NODE_ENV',
    'REDIS_URL',
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_API_ROOT',
    'WEB_APP_URL',
    'BUS_SIGNING_KEY',
    'BUS_TRUSTED_KEYS',
  ],
};

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

function env(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(String(value ?? '')),
    ]),
  );
}

function commandOf(service: ComposeService): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

describe('docker-compose.yml', () => {
  let sut: ComposeFile;

  beforeAll(() => {
    sut = loadCompose();
  });

  it('runs PostgreSQL 16 and Redis 7, each with a healthcheck', () => {
    expect(sut.services.postgres.image).toMatch(/^postgres:16(\.|-|$)/);
    expect(sut.services.redis.image).toMatch(/^redis:7(\.|-|$)/);
    expect(sut.services.postgres.healthcheck?.test).toBeDefined();
    expect(sut.services.redis.healthcheck?.test).toBeDefined();
  });

  it.each(APPS)('builds %s from the one Dockerfile, selected by APP', (app) => {
    const service = sut.services[app];
    expect(service).toBeDefined();
    expect(service.build?.context).toBe('.');
    expect(service.build?.target).toBe('runtime');
    expect(service.build?.args?.APP).toBe(app);
  });

  it.each(APPS)('gives %s a healthcheck', (app) => {
    const test = sut.services[app].healthcheck?.test;
    expect(Array.isArray(test) ? test.join(' ') : test).toContain('scripts/healthcheck.mjs');
  });

  it.each(APPS)('sets the variables %s requires', (app) => {
    const values = env(sut.services[app]);
    for (const name of REQUIRED_ENV[app]) {
      expect({ name, set: name in values }).toEqual({ name, set: true });
    }
    expect(values.NODE_ENV).toBe('production');
    expect(new URL(values.REDIS_URL).hostname).toBe('redis');
  });

  it.each(APPS)('sets only variables that %s reads', (app) => {
    const known = variablesOf(app);
    const unknown = Object.keys(sut.services[app].environment ?? {}).filter(
      (name) => !known.has(name),
    );
    expect(unknown).toEqual([]);
  });

  it.each(DATABASE_APPS)(
    'gives %s no well-known password: its URLs pass the production secret checks',
    (app) => {
      const values = env(sut.services[app]);
      const problems = (() => {
        try {
          loadConfig(DatabaseEnv, {
            NODE_ENV: 'production',
            // Compose has no default for the bus keys (the operator sets BUS_KEY_*); generated ones
            // stand in so that only the URLs are judged here.
            BUS_SIGNING_KEY: randomBytes(32).toString('hex'),
            BUS_TRUSTED_KEYS: `gateway=${randomBytes(32).toString('hex')}`,
            DATABASE_URL: values.DATABASE_URL,
            REDIS_URL: values.REDIS_URL,
          });
          return [];
        } catch (error) {
          if (error instanceof ConfigError) return error.problems;
          throw error;
        }
      })();
      expect(problems).toEqual([]);
    },
  );

  it.each(DATABASE_APPS)(
    'points %s at the postgres service, with migrations left to its migrate job',
    (app) => {
      const values = env(sut.services[app]);
      expect(new URL(values.DATABASE_URL).hostname).toBe('postgres');
      expect(values.DATABASE_MIGRATE_ON_START).toBe('false');
    },
  );

  it.each(DATABASE_APPS)(
    'runs the migrate command of %s as a one-off job with the same image',
    (app) => {
      const job = sut.services[`${app}-migrate`];
      expect(job).toBeDefined();
      expect(commandOf(job)).toBe(`node ${migratePathOf(app)}`);
      expect(job.image).toBe(sut.services[app].image);
      expect(job.build).toEqual(sut.services[app].build);
      expect(job.restart).toBe('no');
      expect(job.healthcheck).toEqual({ disable: true });
      expect(new URL(env(job).DATABASE_URL).hostname).toBe('postgres');
      expect(dependsOn(job)).toEqual({ postgres: 'service_healthy' });
    },
  );

  it.each(DATABASE_APPS)(
    'starts %s after PostgreSQL and Redis are healthy and its migrations finished',
    (app) => {
      expect(dependsOn(sut.services[app])).toEqual({
        postgres: 'service_healthy',
        redis: 'service_healthy',
        [`${app}-migrate`]: 'service_completed_successfully',
      });
    },
  );

  it.each(['gateway', 'bot'] as const)(
    'starts %s after Redis and every bus service are healthy',
    (app) => {
      expect(dependsOn(sut.services[app])).toMatchObject({
        redis: 'service_healthy',
        users: 'service_healthy',
        'auth-codes': 'service_healthy',
        events: 'service_healthy',
      });
    },
  );

  it('gives every dependency a condition that the dependency can meet', () => {
    for (const [name, service] of Object.entries(sut.services)) {
      for (const [target, condition] of Object.entries(dependsOn(service))) {
        const dependency = sut.services[target];
        expect({ name, target, exists: dependency !== undefined }).toEqual({
          name,
          target,
          exists: true,
        });
        expect(CONDITIONS).toContain(condition);
        if (condition === 'service_healthy') {
          expect({ target, healthcheck: dependency.healthcheck !== undefined }).toEqual({
            target,
            healthcheck: true,
          });
        }
        if (condition === 'service_completed_successfully') {
          expect({ target, restart: dependency.restart }).toEqual({ target, restart: 'no' });
        }
      }
    }
  });

  it('has no dependency cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`cycle: ${[...path, name].join(' -> ')}`);
      visiting.add(name);
      for (const target of Object.keys(dependsOn(sut.services[name]))) {
        visit(target, [...path, name]);
      }
      visiting.delete(name);
      done.add(name);
    };
    expect(() => Object.keys(sut.services).forEach((name) => visit(name, []))).not.toThrow();
  });

  it('publishes only the gateway among the apps', () => {
    const published = APPS.filter((app) => (sut.services[app].ports ?? []).length > 0);
    expect(published).toEqual(['gateway']);
    expect(interpolate(sut.services.gateway.ports?.[0] ?? '')).toBe('3000:3000');
  });

  it('has no secret value of its own: JWT_SECRET comes from the environment', () => {
    expect(String(sut.services.gateway.environment?.JWT_SECRET)).toMatch(
      /^\$\{JWT_SECRET(:?-)?\}$/,
    );
  });
});
