import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { LoggerOptions } from 'pino';
import { CommonEnv } from '@up/config';
import { Correlation } from './correlation';
import { redactUrl, serializeError } from './log-redaction';

export function pinoOptions(app: string, config: CommonEnv): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    base: { app },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    messageKey: 'msg',
    mixin: () => {
      const correlationId = Correlation.id();
      const line: Record<string, string> = correlationId ? { correlationId } : {};
      // The active span (libs/observability), so a log line finds its trace; none while tracing is off.
      const span = trace.getSpan(context.active())?.spanContext();
      if (span && isSpanContextValid(span)) {
        line.trace_id = span.traceId;
        line.span_id = span.spanId;
      }
      return line;
    },
    serializers: {
      // The gateway's access log passes {method, url, ...}; only the URL can carry a secret here.
      req: (req: { url?: string }) => (req.url ? { ...req, url: redactUrl(req.url) } : req),
      // Errors can quote the request they failed (Telegraf's keep the whole call payload).
      err: serializeError,
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
