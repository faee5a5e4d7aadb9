import { ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';
import { NodeEnv } from './node-env';
import {
  describeWeakness,
  MIN_SECRET_BITS,
  passwordOfUrl,
  SecretWeakness,
  secretWeakness,
} from './secret-strength';

export interface StrongSecretOptions {
  /**
   * Where the secret sits: the whole value (default), the password inside a URL, or the part a
   * function picks (undefined: nothing to judge).
   */
  in?: 'value' | 'url-password' | ((value: string) => string | undefined);
  /** Minimum length in characters (default 0: the entropy estimate implies a length anyway). */
  minLength?: number;
  /**
   * Minimum estimated entropy in bits (default MIN_SECRET_BITS, 128). 0 skips the estimate, for a
   * secret issued by someone else whose `format` fixes its strength (a Telegram bot token).
   */
  minBits?: number;
  /** The shape the value must have in production, described for the error message. */
  format?: { pattern: RegExp; description: string };
  /** Values published somewhere (documentation examples, development defaults): never secret. */
  knownPublic?: readonly string[];
  /** How to make a good one, for the error message (e.g. `openssl rand -hex 32`). */
  hint?: string;
}

/** Properties that hold a secret as their whole value, by schema: their values are never printed. */
const SECRET_PROPERTIES = new WeakMap<object, Set<string>>();

/** Whether `property` of `target` (a schema instance) was declared a secret with @IsStrongSecret. */
export function isSecretProperty(target: object | undefined, property: string): boolean {
  for (let proto = target; proto; proto = Object.getPrototypeOf(proto) as object | undefined) {
    if (SECRET_PROPERTIES.get(proto)?.has(property)) return true;
  }
  return false;
}

/**
 * Whether the development defaults and leniencies may apply. Only an explicit `development` or
 * `test` allows them; anything else (including NODE_ENV unset, which CommonEnv reads as
 * `production`) gets the strict checks, so a forgotten variable fails closed.
 */
export function allowsDevelopmentDefaults(env: NodeEnv | undefined): boolean {
  return env === 'development' || env === 'test';
}

type Verdict = { ok: true } | { ok: false; reason: string };

function judge(value: unknown, options: StrongSecretOptions): Verdict {
  if (typeof value !== 'string') return { ok: false, reason: 'is not a string' };
  if (options.knownPublic?.includes(value)) {
    return { ok: false, reason: describeWeakness('placeholder') };
  }
  if (options.format && !options.format.pattern.test(value)) {
    return { ok: false, reason: `does not have the shape ${options.format.description}` };
  }
  const secret =
    options.in === 'url-password'
      ? passwordOfUrl(value)
      : typeof options.in === 'function'
        ? options.in(value)
        : value;
  // A URL without a password authenticates some other way (TLS client certificates, a managed
  // identity, network policy): there is nothing to judge here.
  if (secret === undefined) return { ok: true };
  const limits = { minLength: options.minLength, minBits: options.minBits ?? MIN_SECRET_BITS };
  const weakness: SecretWeakness | null = secretWeakness(secret, limits);
  return weakness === null
    ? { ok: true }
    : { ok: false, reason: describeWeakness(weakness, limits) };
}

/**
 * In production (NODE_ENV neither `development` nor `test`), refuses a secret that looks like a
 * placeholder, a well-known value or a typed pattern, or whose estimated entropy is under 128 bits
 * (secret-strength.ts says how it is estimated). Anyone who can read the repository, the docs or a
 * template knows a placeholder; an HMAC key of low entropy can be brute-forced offline from one
 * token. The error names the variable and the reason, never the value; outside production the
 * decorator checks nothing (the field's other validators still do).
 */
export function IsStrongSecret(
  options: StrongSecretOptions = {},
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  const validate = ValidateBy(
    {
      name: 'isStrongSecret',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          allowsDevelopmentDefaults(nodeEnvOf(args)) || judge(value, options).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const name = args?.property ?? 'the secret';
          const verdict = judge(args?.value, options);
          const reason = verdict.ok ? 'is not accepted' : verdict.reason;
          const what = options.in === 'url-password' ? `the password in ${name}` : 'the value';
          const rules =
            options.format === undefined
              ? `${options.minLength ? `at least ${options.minLength} characters, ` : ''}at least ${options.minBits ?? MIN_SECRET_BITS} bits of entropy`
              : options.format.description;
          return (
            `${name} is required when NODE_ENV=production and must be a real secret ` +
            `(${rules}${options.hint ? `; ${options.hint}` : ''}): ${what} ${reason}`
          );
        },
      },
    },
    validationOptions,
  );
  return (target, property) => {
    if (options.in !== 'url-password' && typeof property === 'string') {
      const names = SECRET_PROPERTIES.get(target) ?? new Set<string>();
      names.add(property);
      SECRET_PROPERTIES.set(target, names);
    }
    validate(target, property);
  };
}

function nodeEnvOf(args: ValidationArguments | undefined): NodeEnv | undefined {
  return (args?.object as { NODE_ENV?: NodeEnv } | undefined)?.NODE_ENV;
}
