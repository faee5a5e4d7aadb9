import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { IsEmail, IsInt, Min } from 'class-validator';
import { lastValueFrom } from 'rxjs';
import { DomainError, ErrorCode } from '@up/contracts';
import { BusExceptionFilter, validationFailed } from './bus-exception.filter';
import { BusRemoteError, BusTimeoutError } from './bus.errors';

class RegisterDto {
  @IsEmail()
  email!: string;

  @IsInt()
  @Min(1)
  amount!: number;
}

describe(BusExceptionFilter.name, () => {
  const sut = new BusExceptionFilter();

  it('sends a DomainError as its payload', () => {
    expect(sut.toPayload(new DomainError(ErrorCode.EMAIL_TAKEN, 'Email taken'))).toEqual({
      status: 409,
      code: 'EMAIL_TAKEN',
      message: 'Email taken',
    });
  });

  it('passes on the error a service further down answered', () => {
    const payload = { status: 402, code: 'INSUFFICIENT_COINS', message: 'Not enough coins' };
    expect(sut.toPayload(new BusRemoteError(payload))).toEqual(payload);
    expect(sut.toPayload(new RpcException(payload))).toEqual(payload);
  });

  it('answers a timeout further down as SERVICE_UNAVAILABLE', () => {
    expect(sut.toPayload(new BusTimeoutError('users.get_profile', 5000))).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('turns the ValidationPipe errors into VALIDATION_FAILED with field details', async () => {
    const pipe = new ValidationPipe({
      transform: true,
      whitelist: true,
      exceptionFactory: validationFailed,
    });
    const error = await pipe
      .transform({ email: 'nope', amount: 0 }, { type: 'body', metatype: RegisterDto })
      .catch((e: unknown) => e);
    expect(sut.toPayload(error)).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'Validation failed',
      details: {
        email: ['email must be an email'],
        amount: ['amount must not be less than 1'],
      },
    });
  });

  it('keeps the messages of a plain BadRequestException', () => {
    expect(sut.toPayload(new BadRequestException(['name is required']))).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      details: ['name is required'],
    });
  });

  it('hides anything unexpected behind INTERNAL with an error id', async () => {
    const host = {
      getType: () => 'rpc',
      switchToRpc: () => ({ getContext: () => undefined }),
    } as never;
    const error = await lastValueFrom(sut.catch(new Error('db password is hunter2'), host)).catch(
      (e: unknown) => e,
    );
    expect(error).toEqual({
      status: 500,
      code: 'INTERNAL',
      message: expect.stringMatching(/^Internal error \(error id [0-9a-f-]{36}\)$/),
      details: { errorId: expect.any(String) },
    });
  });
});
