import { Controller, INestMicroservice } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { IsString } from 'class-validator';
import { DomainError, ErrorCode, requestPattern } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import { newTestClient, startReplica } from '../test/bus-test-kit';
import { BusRemoteError } from './bus.errors';
import { RedisStreamsClient } from './client/redis-streams.client';

class EchoDto {
  @IsString()
  text!: string;
}

const ECHO = requestPattern<EchoDto, { text: string; replica: string }>('echo.say');
const FAIL = requestPattern<EchoDto, never>('echo.fail');

function echoController(replica: string) {
  @Controller()
  class EchoController {
    @MessagePattern(ECHO)
    say(@Payload() dto: EchoDto) {
      return { text: dto.text, replica };
    }

    @MessagePattern(FAIL)
    fail(@Payload() dto: EchoDto): never {
      throw new DomainError(ErrorCode.MEMBER_NOT_FOUND, `No member ${dto.text}`);
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
    await expect(sut.request(ECHO, { text: 'hello' })).resolves.toEqual({
      text: 'hello',
      replica: 'r1',
    });
  });

  it('carries a DomainError back as BusRemoteError with its code, status and message', async () => {
    const error = await sut.request(FAIL, { text: 'x1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusRemoteError);
    expect(error).toMatchObject({ code: 'MEMBER_NOT_FOUND', status: 404, message: 'No member x1' });
  });

  it('rejects an invalid payload with VALIDATION_FAILED and the failing field', async () => {
    const error = await sut
      .request(ECHO, { text: 42 } as unknown as EchoDto)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect((error as BusRemoteError).details).toEqual([
      { field: 'text', messages: ['text must be a string'] },
    ]);
  });
});
