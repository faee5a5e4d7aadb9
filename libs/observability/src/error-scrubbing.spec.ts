import type { ErrorEvent } from '@sentry/nestjs';
import { scrubBreadcrumb, scrubEvent } from './error-scrubbing';

const SECRETS = {
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  cookie: 'sid=3b1f0c9e5d',
  password: 'correct horse battery staple',
  refreshToken: 'rt_9f8e7d6c5b4a',
  code: 'LOGIN-CODE-7731',
  initData: 'query_id=AAE&user=%7B%22id%22%3A1%7D&auth_date=1700000000&hash=abc123def',
  botToken: '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
};

function leaked(value: unknown): string[] {
  const text = JSON.stringify(value);
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
}

function eventWithSecrets(): ErrorEvent {
  return {
    type: undefined,
    message: `refresh failed for refresh_token=${SECRETS.refreshToken}`,
    exception: {
      values: [
        {
          type: 'Error',
          value: `GET https://api.telegram.org/bot${SECRETS.botToken}/getMe with Bearer ${SECRETS.bearer}`,
        },
      ],
    },
    request: {
      method: 'POST',
      url: `https://club.example/api/auth/callback?code=${SECRETS.code}`,
      query_string: `code=${SECRETS.code}&next=%2F`,
      headers: {
        Authorization: `Bearer ${SECRETS.bearer}`,
        cookie: SECRETS.cookie,
        'user-agent': 'jest',
      },
      cookies: { sid: SECRETS.cookie },
      data: { email: 'a@example.com', password: SECRETS.password },
    },
    extra: {
      body: JSON.stringify({ password: SECRETS.password, init_data: SECRETS.initData }),
      nested: { credentials: { refresh_token: SECRETS.refreshToken } },
      initData: SECRETS.initData,
    },
    breadcrumbs: [
      { category: 'http', data: { url: `/callback?code=${SECRETS.code}`, code: SECRETS.code } },
    ],
    tags: { request_id: 'req-1', error_id: 'err-1' },
  };
}

describe(scrubEvent.name, () => {
  it('masks every credential an event may carry, by key and in text', () => {
    const sut = scrubEvent(eventWithSecrets());

    expect(leaked(sut)).toEqual([]);
  });

  it('drops the request body and cookies and masks the credential headers', () => {
    const sut = scrubEvent(eventWithSecrets());

    expect(sut.request).toEqual({
      method: 'POST',
      url: 'https://club.example/api/auth/callback?code=[redacted]',
      query_string: 'code=[redacted]&next=%2F',
      headers: { Authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'jest' },
    });
  });

  it('keeps what identifies the failure: tags, messages without credentials, error codes', () => {
    const event: ErrorEvent = {
      type: undefined,
      tags: { request_id: 'req-1', error_id: 'err-1', app: 'users' },
      exception: {
        values: [{ type: 'QueryFailedError', value: 'relation "members" does not exist' }],
      },
      contexts: { node_system_error: { code: 'ECONNREFUSED', errno: -111 } },
    };

    expect(scrubEvent(event)).toEqual(event);
  });
});

describe(scrubBreadcrumb.name, () => {
  it('masks the credentials of a recorded request', () => {
    const sut = scrubBreadcrumb({
      category: 'http',
      message: `POST /api/auth/token password=${SECRETS.password}`,
      data: {
        url: `https://api.telegram.org/bot${SECRETS.botToken}/sendMessage`,
        hash: 'abc123def',
      },
    });

    expect(leaked(sut)).toEqual([]);
    expect(JSON.stringify(sut)).not.toContain('abc123def');
  });
});
