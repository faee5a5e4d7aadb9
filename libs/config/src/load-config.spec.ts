import { IsString, Matches, MinLength } from 'class-validator';
import { ConfigError, loadConfig, printableValue } from './load-config';

class SampleEnv {
  @Matches(/^postgres:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://localhost/db';

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET = 'x'.repeat(32);
}

describe(loadConfig.name, () => {
  it('names every failing variable and never prints a secret', () => {
    let error: unknown;
    try {
      loadConfig(SampleEnv, { DATABASE_URL: 'mysql://u:pw@h/db', JWT_SECRET: 'short-secret' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('DATABASE_URL must be a postgres:// URL');
    expect(message).toContain('JWT_SECRET must be at least 32 characters');
    expect(message).not.toContain('short-secret');
    expect(message).not.toContain(':pw@');
  });

  it('treats empty values as unset so defaults apply', () => {
    expect(loadConfig(SampleEnv, { DATABASE_URL: '' }).DATABASE_URL).toBe(
      'postgres://localhost/db',
    );
  });
});

describe(printableValue.name, () => {
  it('cuts the password out of a URL and keeps the rest', () => {
    expect(printableValue('REDIS_URL', 'redis://user:secret@host:6379')).toBe(
      '"redis://user:***@host:6379"',
    );
    expect(printableValue('PORT', 'abc')).toBe('"abc"');
    expect(printableValue('TELEGRAM_BOT_TOKEN', '123:abc')).toBe('a hidden value');
  });
});
