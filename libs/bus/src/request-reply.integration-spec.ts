import { Controller, INestApplicationContext, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsString } from 'class-validator';
import { CommonEnv, ConfigModule } from '@up/config';
import { DomainError, ErrorCode, requestPattern } from '@up/contracts';
import { Correlation } from '@up/logging';
import { createTestRedisSpace } from '@up/testing';
import { newTestClient, startReplica, testConfig } from '../test/bus-test-kit';
import { BusRemoteError, BusTimeoutError } from './bus.errors';
import { BusModule } from './bus.module';
import { BusClient } from './client/bus.client';
import { RedisStreamsClient } from './client/redis-streams.client';

class EchoDto {
  @IsString()
  text!: string;
}

interface EchoReply {
  text: string;
  replica: string;
  correlationId?: string;
}

const ECHO = requestPattern<EchoDto, EchoReply>('echo.say', { callers: ['gateway'] });
const FAIL = requestPattern<EchoDto, never>('echo.fail', { callers: ['gateway'] });
const CRASH = requestPattern<EchoDto, never>('echo.crash', { callers: ['gateway'] });
const SLOW = requestPattern<{ ms: number }, string>('echo.slow', { callers: ['gateway'] });
const NOBODY = requestPattern<EchoDto, EchoReply>('nobody.listens', { callers: ['gateway'] });

function echoController(replica: string) {
  @Controller()
  class EchoController {
    @MessagePattern(ECHO)
    say(@Payload() dto: EchoDto): EchoReply {
      return { text: dto.text, replica, correlationId: Correlation.id() };
    }

    @MessagePattern(FAIL)
    fail(@Payload() dto: EchoDto): never {
      throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, `No member ${dto.text}`);
    }

    @MessagePattern(CRASH)
    crash(): never {
      throw new TypeError('cannot read properties of undefined');
    }

    @MessagePattern(SLOW)
    async slow(@Payload() { ms }: { ms: number }): Promise<string> {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 'done';
    }
  }
  return EchoController;
}

describe('RedisStreamsServer request/reply', () => {
  const space = createTestRedisSpace();
  let replica: INestMicroservice;
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    replica = await startReplica({
      space,
      service: 'echo',
      consumerName: 'r1',
      controllers: [echoController('r1')],
    });
    sut = newTestClient(space);
    await sut.connect();
  });

  afterAll(async () => {
    await sut.close();
    await replica.close();
    await space.clear();
  });

  it('answers a request with the handler result', async () => {
    await expect(sut.request(ECHO, { text: 'hello' })).resolves.toMatchObject({
      text: 'hello',
      replica: 'r1',
    });
  });

  it('restores the caller correlation id around the handler', async () => {
    const reply = await Correlation.run('corr-123', () =>
      sut.request<EchoReply>(ECHO, { text: 'x' }),
    );
    expect(reply.correlationId).toBe('corr-123');
  });

  it('carries a DomainError back as BusRemoteError with its code, status and message', async () => {
    const error = await sut.request(FAIL, { text: 'x1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusRemoteError);
    expect(error).toMatchObject({ code: 'MEMBER_NOT_FOUND', status: 404, message: 'No member x1' });
  });

  it('rejects an invalid payload with VALIDATION_FAILED and the failing field', async () => {
    const error = await sut.request(ECHO, { text: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusRemoteError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect((error as BusRemoteError).details).toEqual({
      text: ['text must be a string'],
    });
  });

  it('answers an unexpected error as INTERNAL with an error id, without its internals', async () => {
    const error = (await sut
      .request(CRASH, { text: 'x' })
      .catch((e: unknown) => e)) as BusRemoteError;
    expect(error).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(error.message).not.toContain('undefined');
    expect(error.details).toEqual({ errorId: expect.any(String) });
  });

  it('fails with BusTimeoutError after the timeout when no replica serves the target service', async () => {
    const started = Date.now();
    const error = await sut
      .request(NOBODY, { text: 'x' }, { timeoutMs: 300 })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(BusTimeoutError);
    expect(error).toMatchObject({ pattern: 'nobody.listens', timeoutMs: 300 });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
  });

  it('times every waiting call out by its own timeout, a shorter one sent after a longer one too', async () => {
    const order: number[] = [];
    const call = (timeoutMs: number) =>
      sut.request(NOBODY, { text: 'x' }, { timeoutMs }).catch((e: unknown) => {
        order.push(timeoutMs);
        return e;
      });

    const outcomes = await Promise.all([call(1500), call(200), call(700)]);

    expect(outcomes.every((o) => o instanceof BusTimeoutError)).toBe(true);
    expect(order).toEqual([200, 700, 1500]);
  });

  it('applies a per-call timeout to a slow handler', async () => {
    await expect(sut.request(SLOW, { ms: 500 }, { timeoutMs: 100 })).rejects.toBeInstanceOf(
      BusTimeoutError,
    );
    await expect(sut.request(SLOW, { ms: 10 }, { timeoutMs: 1000 })).resolves.toBe('done');
  });

  it('serves Nest ClientProxy.send() too', async () => {
    const reply = await new Promise((resolve, reject) =>
      sut.send(ECHO, { text: 'proxy' }).subscribe({ next: resolve, error: reject }),
    );
    expect(reply).toMatchObject({ text: 'proxy' });
  });

  describe(BusClient.name, () => {
    let app: INestApplicationContext;
    let bus: BusClient;

    beforeAll(async () => {
      @Module({
        imports: [ConfigModule.forRoot(CommonEnv, testConfig(space)), BusModule.forRoot('gateway')],
      })
      class CallerModule {}
      app = await NestFactory.createApplicationContext(CallerModule, { logger: false });
      await app.init();
      bus = app.get(BusClient);
    });

    afterAll(() => app.close());

    it('sends with types taken from the pattern', async () => {
      const reply: EchoReply = await bus.send(ECHO, { text: 'typed' });
      expect(reply.text).toBe('typed');
    });

    it('rejects with BusTimeoutError using the configured timeout override', async () => {
      await expect(bus.send(NOBODY, { text: 'x' }, { timeoutMs: 50 })).rejects.toBeInstanceOf(
        BusTimeoutError,
      );
    });
  });
});
