import { config as loadDotenv } from 'dotenv';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { isSecretProperty } from './strong-secret';

/** Raised when the environment does not satisfy an app's schema; names every failing variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|_KEYS?$/i;

/**
 * The rejected value as it may appear in a log: secrets (by name, or declared with
 * @IsStrongSecret) hidden, passwords cut out of URLs (up to the last `@`, so a password with an
 * unencoded `@` is cut whole).
 */
export function printableValue(
  name: string,
  value: unknown,
  options: { secret?: boolean } = {},
): string {
  if (value === undefined || value === null) return 'nothing';
  if (options.secret || SECRET_NAME.test(name)) return 'a hidden value';
  const text = String(value);
  return JSON.stringify(text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)\S*@/i, '$1***@'));
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => {
    const secret = isSecretProperty(error.target, error.property);
    return Object.values(error.constraints ?? {}).map(
      (message) => `${message} (got ${printableValue(error.property, error.value, { secret })})`,
    );
  });
}

let dotenvLoaded = false;

/**
 * Reads an app's configuration from the environment (and an optional `.env` file, whose values
 * never override real environment variables), validates it against the schema class once, and
 * returns the typed instance. This is the only place in the platform that reads `process.env`.
 */
export function loadConfig<T extends object>(
  schema: ClassConstructor<T>,
  env: Record<string, string | undefined> = readEnvironment(),
): T {
  // Empty strings mean "unset", so a blank line in .env falls back to the default.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const instance = plainToInstance(schema, present, {
    exposeDefaultValues: true,
    excludeExtraneousValues: false,
  });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(describe(errors));
  }
  return instance;
}

export function readEnvironment(): Record<string, string | undefined> {
  if (!dotenvLoaded) {
    loadDotenv({ quiet: true });
    dotenvLoaded = true;
  }
  return process.env;
}
