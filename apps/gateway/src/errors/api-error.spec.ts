import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { BusRemoteError, BusTimeoutError } from '@up/bus';
import { BusErrorPayload, DomainError, ErrorCode, httpStatusOf } from '@up/contracts';
import { toApiError } from './api-error';
import { RequestValidationError } from './request-validation.error';

function remote(payload: Partial<BusErrorPayload> & { code: string }): BusRemoteError {
  return new BusRemoteError(
    { status: 500, message: `${payload.code} happened`, ...payload },
    'users.get_profile',
  );
}

describe(toApiError.name, () => {
  it.each([
    ErrorCode.MEMBER_NOT_FOUND,
    ErrorCode.EMAIL_TAKEN,
    ErrorCode.INVALID_CREDENTIALS,
    ErrorCode.INSUFFICIENT_COINS,
    ErrorCode.EVENT_FULL,
    ErrorCode.MEMBER_INACTIVE,
    ErrorCode.RATE_LIMITED,
  ])('answers a service error %s with its status from httpStatusOf', (code) => {
    const sut = toApiError(remote({ code, status: 500 }));

    expect(sut.status).toBe(httpStatusOf(code));
    expect(sut.body).toEqual({
      statusCode: httpStatusOf(code),
      error: expect.any(String),
      message: `${code} happened`,
      detail: `${code} happened`,
      code,
    });
    expect(sut.unexpected).toBeUndefined();
  });

  it('answers 404 Not Found with the API error body', () => {
    expect(
      toApiError(remote({ code: ErrorCode.EVENT_NOT_FOUND, message: 'Event not found' })).body,
    ).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Event not found',
      detail: 'Event not found',
      code: 'EVENT_NOT_FOUND',
    });
  });

  it("keeps a service's VALIDATION_FAILED field errors", () => {
    const sut = toApiError(
      remote({
        code: ErrorCode.VALIDATION_FAILED,
        status: 400,
        message: 'email must be an email',
        details: { email: ['email must be an email'] },
      }),
    );

    expect(sut.status).toBe(400);
    expect(sut.body.fields).toEqual({ email: ['email must be an email'] });
  });

  it('uses the status a service sent for a code this gateway does not know yet', () => {
    expect(toApiError(remote({ code: 'SEAT_ON_HOLD', status: 423 })).status).toBe(423);
  });

  it('answers a service INTERNAL error as a 500 with an error id, and marks it for logging', () => {
    const error = remote({ code: ErrorCode.INTERNAL, status: 500, message: 'db exploded' });

    const sut = toApiError(error);

    expect(sut.status).toBe(500);
    expect(sut.body.code).toBe('INTERNAL');
    expect(sut.body.error_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sut.body.message).toContain(sut.body.error_id);
    expect(sut.body.message).not.toContain('db exploded');
    expect(sut.unexpected).toBe(error);
  });

  it("answers a service INTERNAL error under the service's own error id", () => {
    const errorId = '0b7c8f0e-2f55-4f4e-9c1e-3f0d7f3b2a10';
    const error = remote({
      code: ErrorCode.INTERNAL,
      status: 500,
      message: `Internal error (error id ${errorId})`,
      details: { errorId },
    });

    const sut = toApiError(error);

    expect(sut.body.error_id).toBe(errorId);
    expect(sut.body.message).toBe(`Internal server error (error id ${errorId})`);
  });

  it('answers a bus timeout with 503 SERVICE_UNAVAILABLE', () => {
    const sut = toApiError(new BusTimeoutError('users.get_profile', 5000));

    expect(sut.status).toBe(503);
    expect(sut.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(sut.unexpected).toBeUndefined();
  });

  it('answers a DomainError raised in the gateway like one from a service', () => {
    const sut = toApiError(
      new DomainError(ErrorCode.INVALID_AUTH_CODE, 'Invalid or expired auth code'),
    );

    expect(sut.status).toBe(401);
    expect(sut.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid or expired auth code',
      detail: 'Invalid or expired auth code',
      code: 'INVALID_AUTH_CODE',
    });
  });

  it.each([
    [new UnauthorizedException(), 401, 'UNAUTHENTICATED'],
    [new ForbiddenException(), 403, 'FORBIDDEN'],
    [new NotFoundException('No such member'), 404, 'NOT_FOUND'],
    [new ConflictException(), 409, 'CONFLICT'],
    [new ThrottlerException(), 429, 'RATE_LIMITED'],
    [new ServiceUnavailableException(), 503, 'SERVICE_UNAVAILABLE'],
  ])('answers %p as is, with the natural code', (exception, status, code) => {
    const sut = toApiError(exception);

    expect(sut.status).toBe(status);
    expect(sut.body.code).toBe(code);
    expect(sut.body.detail).toBe(sut.body.message);
    expect(sut.unexpected).toBeUndefined();
  });

  it('keeps extra fields an HttpException was thrown with, and its code', () => {
    const sut = toApiError(
      new NotFoundException({
        success: false,
        message: 'User not found',
        code: ErrorCode.REFERRAL_CODE_NOT_FOUND,
      }),
    );

    expect(sut.body).toEqual({
      success: false,
      statusCode: 404,
      error: 'Not Found',
      message: 'User not found',
      detail: 'User not found',
      code: 'REFERRAL_CODE_NOT_FOUND',
    });
  });

  it('answers a request that failed validation with 400 and the failing fields', () => {
    const sut = toApiError(
      new RequestValidationError({
        email: ['email must be an email'],
        password: ['password must be longer than or equal to 8 characters'],
      }),
    );

    expect(sut.status).toBe(400);
    expect(sut.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'email must be an email; password must be longer than or equal to 8 characters',
      detail: 'email must be an email; password must be longer than or equal to 8 characters',
      code: 'VALIDATION_FAILED',
      fields: {
        email: ['email must be an email'],
        password: ['password must be longer than or equal to 8 characters'],
      },
    });
  });

  it('joins the messages of a bare BadRequestException', () => {
    expect(toApiError(new BadRequestException(['a is bad', 'b is bad'])).body.message).toBe(
      'a is bad; b is bad',
    );
  });

  it("answers Fastify's own client errors (malformed JSON) with their status", () => {
    const parseError = Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });

    const sut = toApiError(parseError);

    expect(sut.status).toBe(400);
    expect(sut.body.message).toBe('Body is not valid JSON');
    expect(sut.unexpected).toBeUndefined();
  });

  it.each([
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    'a thrown string',
    Object.assign(new Error('upstream'), { statusCode: 502 }),
  ])('answers anything unexpected (%p) with 500 and an error id, never its message', (thrown) => {
    const sut = toApiError(thrown);

    expect(sut.status).toBe(500);
    expect(sut.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: `Internal server error (error id ${sut.body.error_id})`,
      detail: `Internal server error (error id ${sut.body.error_id})`,
      code: 'INTERNAL',
      error_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(sut.unexpected).toBe(thrown);
  });

  it('gives each unexpected error its own id', () => {
    expect(toApiError(new Error('a')).body.error_id).not.toBe(
      toApiError(new Error('a')).body.error_id,
    );
  });

  it('answers a custom HttpException status as is', () => {
    expect(toApiError(new HttpException('Gone', 410)).body).toMatchObject({
      statusCode: 410,
      error: 'Gone',
    });
  });
});
