import {
  BadRequestException,
  ConflictException,
  HttpException,
  HttpStatus,
  InternalServerErrorException,
  NotFoundException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { BusErrorPayload, DomainError, ErrorCode, PayloadError } from '@up/contracts';
import { isExpectedError } from './expected-error';

/** A service's answer as a caller receives it (libs/bus's BusRemoteError, which depends on this lib). */
class BusRemoteError extends PayloadError {
  constructor(private readonly payload: BusErrorPayload) {
    super(payload.message);
  }

  override toPayload(): BusErrorPayload {
    return this.payload;
  }
}

describe(isExpectedError.name, () => {
  it.each([
    ['a domain error', new DomainError(ErrorCode.VALIDATION_FAILED, 'bad')],
    ['a 404 exception', new NotFoundException()],
    ['a 409 exception', new ConflictException()],
    ['a validation failure', new BadRequestException(['email must be an email'])],
    ['the throttler 429', new ThrottlerException()],
    [
      "a service's 4xx answer",
      new BusRemoteError({ status: 401, code: 'INVALID_CREDENTIALS', message: 'no' }),
    ],
    [
      "Fastify's malformed body",
      Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }),
    ],
  ])('is true for %s', (_, error) => {
    expect(isExpectedError(error)).toBe(true);
  });

  it.each([
    ['a plain error', new Error('boom')],
    ['a type error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a 500 exception', new InternalServerErrorException()],
    ['a 503 exception', new HttpException('down', HttpStatus.SERVICE_UNAVAILABLE)],
    [
      "a service's INTERNAL answer",
      new BusRemoteError({ status: 500, code: 'INTERNAL', message: 'Internal error' }),
    ],
    ['a thrown string', 'boom'],
    ['an upstream 502', Object.assign(new Error('upstream'), { statusCode: 502 })],
  ])('is false for %s', (_, error) => {
    expect(isExpectedError(error)).toBe(false);
  });
});
