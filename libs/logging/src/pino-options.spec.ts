import { Writable } from 'node:stream';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import pino from 'pino';
import { TelegramError } from 'telegraf';
import { CommonEnv } from '@up/config';
import { Correlation } from './correlation';
import { redactUrl } from './log-redaction';
import { pinoOptions } from './pino-options';

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

  it('writes the trace and span id of the active span, and none outside a span', () => {
    const out = capture();
    const sut = pino(pinoOptions('users', config), out.stream);
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      context.with(trace.setSpan(context.active(), span), () => sut.info('inside'));
      sut.info('outside');
    } finally {
      context.disable();
    }
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
    });
    expect(outside).not.toHaveProperty('trace_id');
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

describe('error serializer', () => {
  const config = Object.assign(new CommonEnv(), { LOG_LEVEL: 'info' });
  const loginUrl = 'https://club.example/auth/callback?code=S3CRET-login-code';

  /** What Telegraf throws when a login reply is refused: the call's payload rides along. */
  const refusedReply = () =>
    new TelegramError(
      { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      {
        method: 'sendMessage',
        payload: {
          chat_id: 42,
          text: `Sign in: ${loginUrl}`,
          reply_markup: { inline_keyboard: [[{ text: 'Sign in', url: loginUrl }]] },
        },
      },
    );

  it("keeps a Telegram refusal's method and code but not the payload of the call", () => {
    const out = capture();
    const sut = pino(pinoOptions('bot', config), out.stream);
    sut.error({ err: refusedReply() }, 'login: unexpected error');
    const raw = JSON.stringify(out.lines());
    expect(raw).not.toContain('S3CRET-login-code');
    expect(out.lines()[0]).toMatchObject({
      err: {
        type: 'TelegramError',
        message: '403: Forbidden: bot was blocked by the user',
        on: { method: 'sendMessage', payload: '[redacted]' },
        response: { error_code: 403 },
      },
    });
  });

  it('masks the payload of errors nested in others, and credentials quoted in messages', () => {
    const out = capture();
    const sut = pino(pinoOptions('bot', config), out.stream);
    const wrapped = Object.assign(new Error(`fetch ${loginUrl} failed`), {
      reply: refusedReply(),
    });
    sut.error({ err: new AggregateError([refusedReply(), wrapped], 'both failed') }, 'x');
    sut.error(
      { err: new Error('request to http://127.0.0.1/bot123456:AAH-secret_token/getMe failed') },
      'y',
    );
    const raw = JSON.stringify(out.lines());
    expect(raw).not.toContain('S3CRET-login-code');
    expect(raw).not.toContain('AAH-secret_token');
    expect(raw).toContain('code=[redacted]');
    expect(raw).toContain('/bot123456:[redacted]/getMe');
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
