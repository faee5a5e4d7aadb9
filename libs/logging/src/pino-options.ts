import type { LoggerOptions } from 'pino';
import { CommonEnv } from '@up/config';
import { Correlation } from './correlation';

/** Query parameters whose values are credentials (one-time login codes, tokens). */
const SECRET_QUERY_PARAMS = /([?&](?:code|token|access_token|refresh_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[redacted]');
}

export function pinoOptions(app: string, config: CommonEnv): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    base: { app },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    messageKey: 'msg',
    mixin: () => {
      const correlationId = Correlation.id();
      return correlationId ? { correlationId } : {};
    },
    serializers: {
      // The gateway's access log passes {method, url, ...}; only the URL can carry a secret here.
      req: (req: { url?: string }) => (req.url ? { ...req, url: redactUrl(req.url) } : req),
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.query.code',
        '*.password',
        '*.current_password',
        '*.new_password',
        '*.refresh_token',
        '*.access_token',
        // Mailed one-time tokens (email verification, password reset) in a logged body or payload.
        '*.token',
      ],
      censor: '[redacted]',
    },
    ...(config.LOG_PRETTY
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, messageKey: 'msg' } } }
      : {}),
  };
}
