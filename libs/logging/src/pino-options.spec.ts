import { Writable } from 'node:stream';
import pino from 'pino';
import { CommonEnv } from '@up/config';
import { Correlation } from './correlation';
import { pinoOptions, redactUrl } from './pino-options';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.map((line) => JSON.parse(line)) };
}

describe(pinoOptions.name, () => {
  const config = Object.assign(new CommonEnv(), { LOG_LEVEL: 'info' });

  it('writes one JSON line per event with the app and the correlation id of the work', () => {
    const out = capture();
    const sut = pino(pinoOptions('users', config), out.stream);
    Correlation.run('corr-1', () => sut.info('inside'));
    sut.info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ app: 'users', correlationId: 'corr-1', msg: 'inside' });
    expect(outside).not.toHaveProperty('correlationId');
  });

  it('keeps error codes but hides credentials', () => {
    const out = capture();
    const sut = pino(pinoOptions('gateway', config), out.stream);
    sut.info(
      { err: { code: 'EVENT_FULL' }, body: { password: 'hunter22', refresh_token: 'r' } },
      'x',
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      err: { code: 'EVENT_FULL' },
      body: { password: '[redacted]', refresh_token: '[redacted]' },
    });
  });

  it('hides mailed tokens and the passwords of a password change', () => {
    const out = capture();
    const sut = pino(pinoOptions('users', config), out.stream);
    sut.info(
      {
        payload: { token: 'mailed-token', current_password: 'old one', new_password: 'new one' },
        req: { url: '/auth/verify?token=mailed-token' },
      },
      'x',
    );
    const text = out
      .lines()
      .map((line) => JSON.stringify(line))
      .join('\n');
    expect(text).not.toMatch(/mailed-token|old one|new one/);
  });
});

describe(redactUrl.name, () => {
  it('masks one-time codes and tokens in query strings only', () => {
    expect(redactUrl('/api/auth/callback?code=abc123&telegram_id=42')).toBe(
      '/api/auth/callback?code=[redacted]&telegram_id=42',
    );
    expect(redactUrl('/x?a=1&refresh_token=zz')).toBe('/x?a=1&refresh_token=[redacted]');
    expect(redactUrl('/api/users/u/UP-ABC123')).toBe('/api/users/u/UP-ABC123');
  });
});
