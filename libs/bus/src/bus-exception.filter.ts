import { randomUUID } from 'node:crypto';
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  Logger,
  RpcExceptionFilter,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ValidationError } from 'class-validator';
import { Observable, throwError } from 'rxjs';
import {
  BusErrorPayload,
  DomainError,
  ErrorCode,
  errorCodeOfStatus,
  errorPayloadOf,
  fieldErrorsOf,
  isBusErrorPayload,
} from '@up/contracts';
import { captureUnexpected } from '@up/observability';
import { RedisStreamsContext } from './server/redis-streams.context';

/** The `exceptionFactory` of the services' ValidationPipe: a bad payload is VALIDATION_FAILED. */
export function validationFailed(errors: ValidationError[]): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'Validation failed', fieldErrorsOf(errors));
}

/**
 * Turns whatever a bus handler threw into the `{status, code, message, details?}` its caller
 * receives. Expected failures (DomainError, validation, an error answered by a service further
 * down, its timeout) keep their code; anything else is INTERNAL, logged here once with an error id that the
 * payload carries too, so a 500 seen by a client can be found in the logs, and reported to error
 * tracking (when SENTRY_DSN is set) under that id and the correlation id. The caller does not
 * report it again: the service where it happened does, with the real stack.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(BusExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toPayload(exception, host));
  }

  toPayload(exception: unknown, host?: ArgumentsHost): BusErrorPayload {
    const expected = errorPayloadOf(exception);
    if (expected) return expected;
    if (exception instanceof BadRequestException) {
      const response = exception.getResponse() as { message?: unknown };
      return {
        status: 400,
        code: ErrorCode.VALIDATION_FAILED,
        message: 'Validation failed',
        details: Array.isArray(response.message) ? response.message : undefined,
      };
    }
    if (exception instanceof RpcException) {
      const error = exception.getError();
      if (isBusErrorPayload(error)) return error;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      return {
        status: exception.getStatus(),
        code: errorCodeOfStatus(exception.getStatus()) ?? ErrorCode.INTERNAL,
        message: exception.message,
      };
    }
    return this.internal(exception, host);
  }

  private internal(exception: unknown, host?: ArgumentsHost): BusErrorPayload {
    const errorId = randomUUID();
    const context =
      host?.getType() === 'rpc' ? host.switchToRpc().getContext<unknown>() : undefined;
    const pattern = context instanceof RedisStreamsContext ? context.getPattern() : undefined;
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(
      `Unexpected error in bus handler${pattern ? ` "${pattern}"` : ''} (error id ${errorId}): ${error.message}`,
      error.stack,
    );
    captureUnexpected(exception, { errorId, tags: { bus_pattern: pattern } });
    return {
      status: 500,
      code: ErrorCode.INTERNAL,
      message: `Internal error (error id ${errorId})`,
      details: { errorId },
    };
  }
}
