import { createHash } from 'node:crypto';
import { IsString, Matches } from 'class-validator';
import { CommonEnv, DatabaseEnv } from './common-env';
import { ConfigError, loadConfig } from './load-config';
import { estimatedEntropyBits, hasTypedRun, secretWeakness } from './secret-strength';
import { IsStrongSecret } from './strong-secret';
import { IsTelegramBotToken } from './telegram-bot-token';

class SecretEnv extends CommonEnv {
  @IsString()
  @IsStrongSecret({ minLength: 32, knownPublic: ['published-development-value'] })
  API_SIGNING_KEY = 'published-development-value';

  @Matches(/^smtps?:\/\/\S+$/)
  @IsStrongSecret({ in: 'url-password' })
  SMTP_URL = 'smtp://mail.local:25';
}

class TokenEnv extends CommonEnv {
  @IsTelegramBotToken()
  TELEGRAM_BOT_TOKEN = '1:dev';
}

function problemsOf<T extends object>(
  schema: new () => T,
  env: Record<string, string | undefined>,
): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** 32 key bytes, as a generator would make them; derived from a seed so every run sees the same keys. */
const keyBytes = (seed: number) => createHash('sha256').update(`key-${seed}`).digest();
const strongHex = (seed = 0) => keyBytes(seed).toString('hex');
const strongBase64 = (seed = 0) => keyBytes(seed).toString('base64url');
/** A token of the shape @BotFather issues (not a real bot's). */
const botToken = () => `7012345678:AA${strongBase64(7).slice(0, 33)}`;
/** The bus keys production requires of every app (CommonEnv), set so only the variable under test varies. */
const BUS_KEYS = { BUS_SIGNING_KEY: strongHex(11), BUS_TRUSTED_KEYS: `gateway=${strongHex(12)}` };
const PRODUCTION = { NODE_ENV: 'production', ...BUS_KEYS };

describe(secretWeakness.name, () => {
  it.each([
    ['CHANGE_ME_to_at_least_32_random_characters', 'placeholder'],
    ['change-me-please-0f3a9c1e7b5d2a8f4c6e0b9d', 'placeholder'],
    ['my-super-secret-jwt-key-for-the-club-2024!', 'placeholder'],
    ['Password123Password123Password123', 'placeholder'],
    ['https://example.com/0f3a9c1e7b5d2a8f4c6e0b9d', 'placeholder'],
    ['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'placeholder'],
    ['development-only-jwt-secret-do-not-use-in-production', 'placeholder'],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'pattern'],
    ['abcdefghijklmnopqrstuvwxyz0123456789ABCD', 'pattern'],
    ['q8Zr0123456789fT2kLm9vXc3nBw7hJy5sGd1pQe', 'pattern'],
    ['abababababababababababababababababababab', 'low-entropy'],
    ['0f3a9c1e0f3a9c1e0f3a9c1e0f3a9c1e', 'low-entropy'],
    ['q8Zr4fT2kLm9vXc3', 'low-entropy'],
  ])('refuses %j (%s)', (value, weakness) => {
    expect(secretWeakness(value)).toBe(weakness);
  });

  it('refuses a value under the minimum length', () => {
    expect(secretWeakness(strongBase64().slice(0, 31), { minLength: 32 })).toBe('too-short');
  });

  it('accepts generated keys: `openssl rand -hex 32`, 32 random bytes in base64', () => {
    for (let seed = 0; seed < 500; seed++) {
      expect(secretWeakness(strongHex(seed), { minLength: 32 })).toBeNull();
      expect(secretWeakness(strongBase64(seed), { minLength: 32 })).toBeNull();
    }
  });

  it('estimates about 4 bits per random hex character and nothing for a repeated one', () => {
    expect(estimatedEntropyBits('a'.repeat(64))).toBe(0);
    expect(estimatedEntropyBits(strongHex())).toBeGreaterThan(220);
    expect(estimatedEntropyBits(strongHex())).toBeLessThanOrEqual(256);
  });

  it('sees runs of repeated and consecutive characters, not shorter ones', () => {
    expect(hasTypedRun('k1aaaaaaaa9')).toBe(true);
    expect(hasTypedRun('k1abcdefgh9')).toBe(true);
    expect(hasTypedRun('k19876543219')).toBe(true);
    expect(hasTypedRun('k1aaaaaaa9abcdefg')).toBe(false);
  });
});

describe(IsStrongSecret.name, () => {
  it('refuses a placeholder in production, naming the variable and the reason, never the value', () => {
    const problems = problemsOf(SecretEnv, {
      ...PRODUCTION,
      API_SIGNING_KEY: 'CHANGE_ME_to_at_least_32_random_characters',
    });

    expect(problems).toEqual([
      expect.stringMatching(/^API_SIGNING_KEY is required when NODE_ENV=production.*placeholder/),
    ]);
    expect(problems.join('\n')).not.toContain('CHANGE_ME');
    expect(problems.join('\n')).toContain('got a hidden value');
  });

  it('refuses the published development value in production', () => {
    expect(problemsOf(SecretEnv, PRODUCTION)).toEqual([expect.stringContaining('API_SIGNING_KEY')]);
  });

  it('refuses a low-entropy value in production and accepts a generated one', () => {
    const key = strongHex();

    expect(problemsOf(SecretEnv, { ...PRODUCTION, API_SIGNING_KEY: 'a1b2'.repeat(10) })).toEqual([
      expect.stringContaining('too predictable'),
    ]);
    expect(loadConfig(SecretEnv, { ...PRODUCTION, API_SIGNING_KEY: key }).API_SIGNING_KEY).toBe(
      key,
    );
  });

  it('applies the production checks when NODE_ENV is unset', () => {
    expect(problemsOf(SecretEnv, BUS_KEYS)).toEqual([expect.stringContaining('API_SIGNING_KEY')]);
  });

  it.each(['development', 'test'])('lets NODE_ENV=%s run with the development value', (env) => {
    expect(loadConfig(SecretEnv, { NODE_ENV: env }).API_SIGNING_KEY).toBe(
      'published-development-value',
    );
  });

  it('judges the password inside a URL, cut out of the message; a URL without one passes', () => {
    const problems = problemsOf(SecretEnv, {
      ...PRODUCTION,
      API_SIGNING_KEY: strongHex(),
      SMTP_URL: 'smtp://mailer:changeme@mail.local:25',
    });

    expect(problems).toEqual([expect.stringContaining('the password in SMTP_URL')]);
    expect(problems.join('\n')).not.toContain('changeme');
    expect(problems.join('\n')).toContain('smtp://mailer:***@mail.local:25');
    const password = encodeURIComponent(strongBase64());
    expect(
      problemsOf(SecretEnv, {
        ...PRODUCTION,
        API_SIGNING_KEY: strongHex(),
        SMTP_URL: `smtps://mailer:${password}@mail.local:465`,
      }),
    ).toEqual([]);
  });

  it.each([
    ['REDIS_URL', 'redis://:CHANGE_ME@redis.example.internal:6379'],
    ['REDIS_URL', 'rediss://gateway:redis@redis.internal:6380'],
    ['DATABASE_URL', 'postgres://up_club:CHANGE_ME@postgres.example.internal:5432/up_club'],
    ['DATABASE_URL', 'postgres://postgres:postgres@postgres:5432/up_club'],
  ])('refuses a weak password in %s in production', (variable, url) => {
    const problems = problemsOf(DatabaseEnv, { ...PRODUCTION, [variable]: url });

    expect(problems).toEqual([expect.stringContaining(`the password in ${variable}`)]);
    expect(problems.join('\n')).toContain(':***@');
  });

  it('accepts the platform URLs without a password, or with a generated one, in production', () => {
    expect(problemsOf(DatabaseEnv, PRODUCTION)).toEqual([]);
    expect(
      problemsOf(DatabaseEnv, {
        ...PRODUCTION,
        REDIS_URL: `rediss://users:${strongHex()}@redis.internal:6380`,
        DATABASE_URL: `postgres://users:${strongHex()}@db.internal:5432/up_club`,
      }),
    ).toEqual([]);
  });
});

describe(IsTelegramBotToken.name, () => {
  it('accepts a token of the shape @BotFather issues in production', () => {
    const token = botToken();

    expect(
      loadConfig(TokenEnv, { ...PRODUCTION, TELEGRAM_BOT_TOKEN: token }).TELEGRAM_BOT_TOKEN,
    ).toBe(token);
  });

  it.each([
    ['42:secret-token'],
    ['123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11'],
    ['7012345678:CHANGE_ME_CHANGE_ME_CHANGE_ME_CHANGE'],
    ['7012345678:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses %j in production, never printing it', (token) => {
    const problems = problemsOf(TokenEnv, { ...PRODUCTION, TELEGRAM_BOT_TOKEN: token });

    expect(problems).toEqual([expect.stringContaining('TELEGRAM_BOT_TOKEN')]);
    expect(problems.join('\n')).not.toContain(token.split(':')[1]);
  });

  it('accepts any <digits>:<token> outside production (the tests use short ones)', () => {
    expect(
      loadConfig(TokenEnv, { NODE_ENV: 'test', TELEGRAM_BOT_TOKEN: '42:secret-token' })
        .TELEGRAM_BOT_TOKEN,
    ).toBe('42:secret-token');
    expect(problemsOf(TokenEnv, { NODE_ENV: 'test', TELEGRAM_BOT_TOKEN: 'nope' })).toEqual([
      expect.stringContaining('TELEGRAM_BOT_TOKEN must look like'),
    ]);
  });
});
