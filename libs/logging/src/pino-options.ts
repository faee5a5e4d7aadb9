import type { LoggerOptions } from 'pino';
import { CommonEnv } from '@up/config';
import { Correlation } from './correlation';

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
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.refresh_token',
        '*.access_token',
        '*.code',
      ],
      censor: '[redacted]',
    },
  };
}
