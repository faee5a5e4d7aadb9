import { HttpException, HttpStatus } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { BusTimeoutError } from '@up/bus';
import {
  BusErrorPayload,
  ErrorCode,
  errorCodeOfStatus,
  errorPayloadOf,
  FieldErrors,
  httpStatusOf,
  isErrorCode,
  isFieldErrors,
} from '@up/contracts';
import { RequestValidationError } from './request-validation.error';

/**
 * The error body of every failed request (docs/api.md): `detail` repeats `message` for clients written
 * against the previous backend. `code` is the stable error code when there is one, `fields` the
 * failing fields of a 400, `error_id` the id under which an unexpected failure was logged.
 * An HttpException thrown with an object may add fields of its own (`{success: false}`).
 */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  detail: string;
  code?: string;
  fields?: FieldErrors;
  details?: Record<string, unknown>;
  error_id?: string;
  [extra: string]: unknown;
}

export interface ApiError {
  status: number;
  body: ApiErrorBody;
  /** Set for a failure nobody expected: log it once with `body.error_id`. */
  unexpected?: unknown;
}

const RESERVED_KEYS = new Set([
  'statusCode',
  'error',
  'message',
  'detail',
  'code',
  'fields',
  'details',
  'error_id',
]);

function body(options: {
  status: number;
  message: string;
  code?: string;
  fields?: FieldErrors;
  details?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}): ApiErrorBody {
  const { status, message, code, fields, details, extra } = options;
  return {
    ...extra,
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
    detail: message,
    ...(code ? { code } : {}),
    ...(fields ? { fields } : {}),
    ...(details ? { details } : {}),
  };
}

/** A service's details of an expected failure other than validation, when they are an object. */
function detailsOf(code: unknown, details: unknown): Record<string, unknown> | undefined {
  if (code === ErrorCode.VALIDATION_FAILED) return undefined;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  return details as Record<string, unknown>;
}

/** Field errors sent back by a service's validation (bus VALIDATION_FAILED details). */
function fieldsOfDetails(details: unknown): FieldErrors | undefined {
  return isFieldErrors(details) && Object.keys(details).length > 0 ? details : undefined;
}

function fromHttpException(exception: HttpException): ApiError {
  const status = exception.getStatus();
  if (exception instanceof RequestValidationError) {
    return {
      status,
      body: body({
        status,
        message: exception.message,
        code: ErrorCode.VALIDATION_FAILED,
        fields: exception.fields,
      }),
    };
  }
  const response = exception.getResponse();
  let message = exception.message;
  let code = errorCodeOfStatus(status);
  let extra: Record<string, unknown> | undefined;
  if (typeof response === 'string') {
    message = response;
  } else if (typeof response === 'object' && response !== null) {
    const { message: given, code: givenCode } = response as { message?: unknown; code?: unknown };
    if (typeof given === 'string') message = given;
    if (Array.isArray(given)) message = given.map(String).join('; ');
    if (isErrorCode(givenCode)) code = givenCode;
    extra = Object.fromEntries(Object.entries(response).filter(([key]) => !RESERVED_KEYS.has(key)));
  }
  // Thrown on purpose, so answered as is (a 503 from /ready, a 429 from the throttler).
  return { status, body: body({ status, message, code, extra }) };
}

/** An expected failure: a service's answer, or a DomainError raised in the gateway. */
function fromPayload(payload: BusErrorPayload, cause: unknown): ApiError {
  const { code, message, details } = payload;
  const status = isErrorCode(code)
    ? httpStatusOf(code)
    : payload.status >= 400 && payload.status < 600
      ? payload.status
      : HttpStatus.INTERNAL_SERVER_ERROR;
  if (status >= 500 && code !== ErrorCode.SERVICE_UNAVAILABLE) {
    // The service's own error id, under which it logged and reported the failure, when it sent one.
    return unexpected(cause, status, downstreamErrorId(details));
  }
  const fields = code === ErrorCode.VALIDATION_FAILED ? fieldsOfDetails(details) : undefined;
  return {
    status,
    body: body({ status, message, code, fields, details: detailsOf(code, details) }),
  };
}

/** The error id a service's INTERNAL answer carries (`details.errorId`), if it is an id. */
function downstreamErrorId(details: unknown): string | undefined {
  const errorId = (details as { errorId?: unknown } | null | undefined)?.errorId;
  return typeof errorId === 'string' && /^[\w-]{1,64}$/.test(errorId) ? errorId : undefined;
}

function unexpected(
  cause: unknown,
  status: number = HttpStatus.INTERNAL_SERVER_ERROR,
  errorId: string = randomUUID(),
): ApiError {
  const message = `Internal server error (error id ${errorId})`;
  return {
    status,
    body: { ...body({ status, message, code: ErrorCode.INTERNAL }), error_id: errorId },
    unexpected: cause,
  };
}

/** Errors raised by Fastify itself before a route runs (malformed JSON, body too large, ...). */
function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * The one place where a failure becomes an HTTP answer. Expected failures keep their status
 * (a service's error code through `httpStatusOf`, a bus timeout as 503); anything else is a 500
 * that carries an error id.
 */
export function toApiError(exception: unknown): ApiError {
  if (exception instanceof HttpException) return fromHttpException(exception);
  // Before the payload mapping: a client gets a friendlier message than the bus's own.
  if (exception instanceof BusTimeoutError) {
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    return {
      status,
      body: body({
        status,
        message: 'A service did not answer in time, try again shortly',
        code: ErrorCode.SERVICE_UNAVAILABLE,
      }),
    };
  }
  const payload = errorPayloadOf(exception);
  if (payload) return fromPayload(payload, exception);
  const clientStatus = clientErrorStatus(exception);
  if (clientStatus !== undefined) {
    const message = exception instanceof Error ? exception.message : 'Bad request';
    return {
      status: clientStatus,
      body: body({ status: clientStatus, message, code: errorCodeOfStatus(clientStatus) }),
    };
  }
  return unexpected(exception);
}
