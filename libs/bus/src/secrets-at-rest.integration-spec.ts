import { randomBytes } from 'node:crypto';
import { INestMicroservice, LoggerService } from '@nestjs/common';
import Redis from 'ioredis';
import { DomainError, ErrorCode, REDACTED, RegisterMemberDto } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import { controllerFor, eventually, newTestClient, startReplica } from '../test/bus-test-kit';
import { BusKeys } from './bus-keys';
import { BusRemoteError } from './bus.errors';
import { RedisStreamsClient } from './client/redis-streams.client';
import { MESSAGE_FIELD } from './envelope.codec';

/** Every stream entry under the test's prefix, as one string per entry. */
async function allStreamEntries(redis: Redis, prefix: string): Promise<string[]> {
  const entries: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if ((await redis.type(key)) !== 'stream') continue;
      for (const [id, fields] of await redis.xrange(key, '-', '+')) {
        entries.push(`${key} ${id} ${fields.join(' ')}`);
      }
    }
  } while (cursor !== '0');
  return entries;
}

/** Collects every log line the bus (and Nest) writes while a test runs. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...parts: unknown[]) => this.push(parts);
  error = (...parts: unknown[]) => this.push(parts);
  warn = (...parts: unknown[]) => this.push(parts);
  debug = (...parts: unknown[]) => this.push(parts);
  verbose = (...parts: unknown[]) => this.push(parts);
  private push(parts: unknown[]): void {
    this.lines.push(
      parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' '),
    );
  }
}

describe('nothing secret at rest in Redis', () => {
  const space = createTestRedisSpace();
  const keys = new BusKeys(space.prefix);
  const apps: INestMicroservice[] = [];
  const logs = new CapturingLogger();
  let redis: Redis;
  let sut: RedisStreamsClient;

  beforeAll(async () => {
    redis = new Redis(space.url);
    // `password` is marked @Secret() on RegisterMemberDto; the import makes sure it is loaded.
    expect(RegisterMemberDto.name).toBe('RegisterMemberDto');
    const vault = await startReplica({
      space,
      service: 'vault',
      consumerName: 'vault-1',
      controllers: [
        controllerFor({
          pattern: 'vault.register',
          handle: (data) => {
            const { password } = data as { password: string };
            if (password.startsWith('refused')) {
              throw new DomainError(ErrorCode.EMAIL_TAKEN, 'Email taken');
            }
            if (password.startsWith('crash')) throw new TypeError('cannot read properties');
            return { ok: true };
          },
        }),
      ],
      overrides: { maxDeliveries: 1 },
    });
    vault.useLogger(logs);
    apps.push(vault);
    const listener = await startReplica({
      space,
      service: 'listener',
      consumerName: 'listener-1',
      controllers: [
        controllerFor({
          pattern: 'vault.leaked',
          event: true,
          handle: () => {
            throw new Error('always fails');
          },
        }),
      ],
      overrides: { maxDeliveries: 1 },
    });
    listener.useLogger(logs);
    apps.push(listener);
    sut = newTestClient(space);
    await sut.connect();
  });

  afterAll(async () => {
    await sut.close();
    await Promise.all(apps.map((app) => app.close()));
    redis.disconnect();
    await space.clear();
  });

  it('deletes a request once handled, answered or failed: no stream entry holds its password', async () => {
    const passwords = ['ok', 'refused', 'crash'].map(
      (kind) => `${kind}-${randomBytes(8).toString('hex')}`,
    );

    const [ok, refused, crashed] = await Promise.allSettled(
      passwords.map((password) =>
        sut.request('vault.register', { email: 'a@example.com', password }),
      ),
    );

    expect(ok).toEqual({ status: 'fulfilled', value: { ok: true } });
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.EMAIL_TAKEN } });
    expect(crashed).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.INTERNAL } });
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(BusRemoteError);
    // The ack and the delete leave together after the reply: wait for the stream to be empty.
    await eventually(async () => (await redis.xlen(keys.requestStream('vault'))) === 0);
    const entries = await allStreamEntries(redis, space.prefix);
    for (const password of passwords) {
      expect(entries.filter((entry) => entry.includes(password))).toEqual([]);
    }
    // The logs were captured (the crash is logged with its error id), and name no password.
    expect(logs.lines.some((line) => line.includes('Unexpected error in bus handler'))).toBe(true);
    for (const password of passwords) {
      expect(logs.lines.filter((line) => line.includes(password))).toEqual([]);
    }
  });

  it('redacts secret fields in a dead-letter copy', async () => {
    const password = `dead-${randomBytes(8).toString('hex')}`;
    const deadLetters = keys.deadLetterStream(keys.eventStream('vault.leaked'));

    await sut.publishEvent('vault.leaked', {
      email: 'a@example.com',
      password,
      nested: [{ password }],
    });

    await eventually(async () => (await redis.xlen(deadLetters)) === 1);
    const [[, fields]] = await redis.xrange(deadLetters, '-', '+');
    const copy = JSON.parse(fields[fields.indexOf(MESSAGE_FIELD) + 1]) as { d: unknown };
    expect(copy.d).toEqual({
      email: 'a@example.com',
      password: REDACTED,
      nested: [{ password: REDACTED }],
    });
    expect(fields.join(' ')).not.toContain(password);
    expect(logs.lines.filter((line) => line.includes(password))).toEqual([]);
  });
});
