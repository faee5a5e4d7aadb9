import { HttpException } from '@nestjs/common';
import { errorPayloadOf } from '@up/contracts';

/**
 * Whether a failure is part of normal operation, answered with a 4xx: a DomainError or a service's
 * expected answer (BusRemoteError) with a 4xx status, a validation failure, an HttpException under
 * 500 (the throttler's 429 included), or a client error raised by Fastify before a route runs.
 * These are never reported as errors: error tracking sees only what nobody expected.
 */
export function isExpectedError(error: unknown): boolean {
  const payload = errorPayloadOf(error);
  if (payload) return payload.status < 500;
  if (error instanceof HttpException) return error.getStatus() < 500;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
