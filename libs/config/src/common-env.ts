import { hostname } from 'node:os';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { ToInt } from '@up/contracts';
import { EnvBool } from './env-decorators';
import { NODE_ENVS, NodeEnv } from './node-env';
import { REDIS_CLUSTER_NODES_PATTERN } from './redis';
import { allowsDevelopmentDefaults, IsStrongSecret } from './strong-secret';

/** How to make a password for a URL, for the error message. */
const URL_PASSWORD_HINT = 'e.g. `openssl rand -hex 32`, percent-encoded in the URL if needed';

/** Bus keys: at least this long outside development and test (256 bits as hex, or more). */
export const BUS_KEY_MIN_LENGTH = 32;

/** `name=key,name=key`: the bus keys of the parties this app accepts messages and replies from. */
function parseKeyList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const entries = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => {
      const at = item.indexOf('=');
      return at > 0 ? [item.slice(0, at).trim(), item.slice(at + 1).trim()] : [item, ''];
    });
  return Object.fromEntries(entries);
}

function isBusKey(value: unknown, development: boolean): boolean {
  return typeof value === 'string' && value.length >= (development ? 1 : BUS_KEY_MIN_LENGTH);
}

/** Optional in development and test (development keys apply); required and long enough elsewhere. */
function IsBusKeySetting(kind: 'own' | 'list'): PropertyDecorator {
  return ValidateBy({
    name: 'isBusKeySetting',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const development = allowsDevelopmentDefaults((args?.object as CommonEnv).NODE_ENV);
        if (value === undefined) return development;
        if (kind === 'own') return isBusKey(value, development);
        if (typeof value !== 'object' || value === null) return false;
        const keys = Object.entries(value as Record<string, unknown>);
        return keys.length > 0 && keys.every(([, key]) => isBusKey(key, development));
      },
      defaultMessage: (args?: ValidationArguments) =>
        kind === 'own'
          ? `${args?.property} is required unless NODE_ENV is development or test (at least ${BUS_KEY_MIN_LENGTH} characters)`
          : `${args?.property} is required unless NODE_ENV is development or test: name=key pairs separated by commas, each key at least ${BUS_KEY_MIN_LENGTH} characters`,
    },
  });
}

/**
 * OpenTelemetry tracing (libs/observability). Read on their own, before anything else is loaded (the
 * instrumentations must patch pg, ioredis, http and Fastify before those are required), and again
 * with the rest of every app's configuration. The standard OTEL_* names: the SDK also reads other
 * OTEL_* variables itself (OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER,
 * OTEL_RESOURCE_ATTRIBUTES, ...), as its documentation describes; those are not validated here.
 */
export class TracingEnv {
  /**
   * Base URL of an OTLP/HTTP collector (`http://otel-collector:4318`); spans go to `<url>/v1/traces`.
   * Unset: no tracing at all (no SDK, nothing patched).
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The `service.name` of this app's spans; default: the app's name (gateway, users, ...). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  OTEL_SERVICE_NAME?: string;
}

/**
 * A Sentry DSN, `http(s)://<public key>@<host>[:port][/path]/<project id>`: a URL with a public key,
 * not a secret, but a malformed one would silently send nothing.
 */
const SENTRY_DSN_FORMAT = /^https?:\/\/[\w-]+(:[\w-]*)?@[\w.-]+(:\d+)?(\/[\w.-]+)*\/\d+$/;

/**
 * The variables read at the very start of a process, before the app's own configuration: whether
 * and where unexpected errors are reported (libs/observability's error tracking). Every app's
 * configuration includes them (CommonEnv), so a bad value is reported with the others at boot.
 */
export class ErrorTrackingEnv extends TracingEnv {
  /**
   * Unset means production: the development defaults (a public JWT secret, lenient secret checks)
   * apply only when NODE_ENV says `development` or `test` (`npm start` and the tests set it), so a
   * deployment that forgets the variable fails closed rather than open.
   */
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'production';

  /** Turns Sentry error tracking on; unset, nothing is initialised and nothing is sent. */
  @IsOptional()
  @Matches(SENTRY_DSN_FORMAT, {
    message: 'SENTRY_DSN must be a Sentry DSN: https://<public key>@<host>/<project id>',
  })
  SENTRY_DSN?: string;

  /** The release errors are reported under (default: `<package name>@<package version>`). */
  @IsOptional()
  @IsString()
  @Matches(/^\S+$/, { message: 'SENTRY_RELEASE must not contain spaces' })
  SENTRY_RELEASE?: string;

  /** The environment errors are reported under (default: NODE_ENV). */
  @IsOptional()
  @Matches(/^[\w.-]{1,64}$/, {
    message: 'SENTRY_ENVIRONMENT must be 1-64 letters, digits, `.`, `_` or `-`',
  })
  SENTRY_ENVIRONMENT?: string;
}

/** Variables every app reads. */
export class CommonEnv extends ErrorTrackingEnv {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Pretty, human-readable logs instead of JSON lines (development only). */
  @EnvBool()
  @IsBoolean()
  LOG_PRETTY = false;

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  @IsStrongSecret({ in: 'url-password', hint: URL_PASSWORD_HINT })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /**
   * `host:port,host:port,...`: every Redis connection of the app goes to this Redis Cluster (its
   * seed nodes); REDIS_URL's host is then not used, its user, password and `rediss://` still are.
   */
  @IsOptional()
  @Matches(REDIS_CLUSTER_NODES_PATTERN, {
    message: 'REDIS_CLUSTER_NODES must be host:port pairs separated by commas',
  })
  REDIS_CLUSTER_NODES?: string;

  /** Every Redis key the platform writes starts with this prefix (one deployment, one prefix). */
  @IsString()
  @IsNotEmpty()
  REDIS_KEY_PREFIX = 'up';

  /** How long a bus request waits for its reply before failing with a timeout error. */
  @ToInt()
  @IsInt()
  @Min(1)
  BUS_REQUEST_TIMEOUT_MS = 5000;

  /** Name of this replica in the bus consumer groups; stable across restarts of one replica. */
  @IsString()
  @IsNotEmpty()
  BUS_CONSUMER_NAME = `${hostname()}-${process.pid}`;

  /** Entries pending longer than this on a silent replica are claimed by a live one. */
  @ToInt()
  @IsInt()
  @Min(100)
  BUS_CLAIM_IDLE_MS = 30000;

  /** A message delivered this many times without success goes to the dead-letter stream. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  BUS_MAX_DELIVERIES = 5;

  /** Approximate length event and dead-letter streams are trimmed to (XADD MAXLEN ~). */
  @ToInt()
  @IsInt()
  @Min(100)
  BUS_STREAM_MAXLEN = 10000;

  /**
   * Approximate length request streams are trimmed to. A handled request is deleted at once (it
   * may hold a password), so this only bounds requests no replica has read yet.
   */
  @ToInt()
  @IsInt()
  @Min(100)
  BUS_REQUEST_STREAM_MAXLEN = 1000;

  /** Messages one replica handles at once. */
  @ToInt()
  @IsInt()
  @Min(1)
  BUS_CONCURRENCY = 32;

  /**
   * This app's own bus key: it signs (HMAC-SHA256) every request, event and reply the app sends,
   * and the receivers check it (libs/bus/README.md, "Sender identity"). Required unless NODE_ENV
   * is development or test, where a development key derived from the app's name applies.
   */
  @IsBusKeySetting('own')
  BUS_SIGNING_KEY?: string;

  /**
   * `name=key,...`: the bus keys of the parties this app accepts messages (and replies) from.
   * Required unless NODE_ENV is development or test, where every party's development key applies.
   */
  @Transform(({ value }) => parseKeyList(value))
  @IsBusKeySetting('list')
  BUS_TRUSTED_KEYS?: Record<string, string>;

  /**
   * The ops port: GET /health/live, /health/ready and /metrics, and no business traffic (probes and
   * Prometheus scrape it). 0 takes any free port.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65535)
  OPS_PORT = 9464;

  /** The address the ops port listens on (all interfaces by default: the kubelet and Prometheus reach the pod's IP). */
  @IsString()
  @IsNotEmpty()
  OPS_HOST = '0.0.0.0';

  /** Seconds to finish in-flight work after SIGTERM before the process exits anyway. */
  @ToInt()
  @IsInt()
  @Min(1)
  SHUTDOWN_TIMEOUT_SECONDS = 10;
}

// TypeScript accepts a class as a mixin base only with an `any[]` constructor signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EnvClass = new (...args: any[]) => ErrorTrackingEnv;

/** The connection to the service's PostgreSQL database, added to an environment class. */
function WithDatabase<TBase extends EnvClass>(Base: TBase) {
  class WithDatabaseEnv extends Base {
    @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
    @IsStrongSecret({ in: 'url-password', hint: URL_PASSWORD_HINT })
    DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/up_club';

    @ToInt()
    @IsInt()
    @Min(1)
    DATABASE_POOL_SIZE = 10;
  }
  return WithDatabaseEnv;
}

/**
 * What a service's migrate command reads (the Kubernetes Job, `npm run migrate`): the database and
 * nothing else, so it needs none of the service's other secrets (bus keys, SMTP) to run.
 */
export class MigrationEnv extends WithDatabase(ErrorTrackingEnv) {}

/** Variables of a service that owns tables in PostgreSQL. */
export class DatabaseEnv extends WithDatabase(CommonEnv) {
  /** Create the database and schema and run pending migrations at start (off in production, where the migrate Job does it). */
  @EnvBool()
  @IsBoolean()
  DATABASE_MIGRATE_ON_START = true;

  /** Run the outbox relay on this replica (a service's committed bus events go out through it). */
  @EnvBool()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  /** How often the relay looks for rows another replica left; a local commit wakes it at once. */
  @ToInt()
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS = 500;

  /** Outbox rows sent per round trip. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(5000)
  OUTBOX_BATCH_SIZE = 500;
}
