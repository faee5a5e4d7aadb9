import { INestMicroservice } from '@nestjs/common';
import Redis from 'ioredis';
import { allowedSendersOf, ErrorCode, eventName, requestPattern } from '@up/contracts';
import { createTestRedisSpace } from '@up/testing';
import { controllerFor, eventually, newTestClient, startReplica } from '../test/bus-test-kit';
import { BusKeys } from './bus-keys';
import { BusKeyring, developmentBusKey } from './bus-keyring';
import { BusRemoteError } from './bus.errors';
import { RedisStreamsClient } from './client/redis-streams.client';
import { encodeEnvelope, encodeSignedReplies, MESSAGE_FIELD } from './envelope.codec';

// Declared as the contracts declare theirs: who may send each.
const MINT = requestPattern<{ coins: number }, { minted: number }>('mint.coins', {
  callers: ['gateway'],
});
const SLOW = requestPattern<{ ms: number }, string>('mint.slow', { callers: ['gateway'] });
const MINTED = eventName<{ coins: number }>('mint.minted', { publishers: ['users'] });

describe('sender identity on the bus', () => {
  const space = createTestRedisSpace();
  const keys = new BusKeys(space.prefix);
  const apps: INestMicroservice[] = [];
  const minted: number[] = [];
  const heard: number[] = [];
  const clients: RedisStreamsClient[] = [];
  let redis: Redis;

  async function client(overrides: Parameters<typeof newTestClient>[1]) {
    const created = newTestClient(space, { requestTimeoutMs: 1500, ...overrides });
    await created.connect();
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    redis = new Redis(space.url);
    apps.push(
      await startReplica({
        space,
        service: 'mint',
        consumerName: 'mint-1',
        controllers: [
          controllerFor({
            pattern: MINT,
            handle: (data) => {
              const { coins } = data as { coins: number };
              minted.push(coins);
              return { minted: coins };
            },
          }),
          controllerFor({
            pattern: SLOW,
            handle: async (data) => {
              await new Promise((resolve) => setTimeout(resolve, (data as { ms: number }).ms));
              return 'genuine';
            },
          }),
          controllerFor({
            pattern: MINTED,
            event: true,
            handle: (data) => heard.push((data as { coins: number }).coins),
          }),
        ],
        // The declared allow-lists only: nothing falls back to the test client.
        overrides: { access: allowedSendersOf },
      }),
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(apps.map((app) => app.close()));
    redis.disconnect();
    await space.clear();
  });

  it('runs a request signed by an allowed caller', async () => {
    const gateway = await client({ sender: 'gateway' });

    await expect(gateway.request(MINT, { coins: 1 })).resolves.toEqual({ minted: 1 });
  });

  it('answers FORBIDDEN to a caller that is not in the allow-list, without running the handler', async () => {
    const bot = await client({ sender: 'bot' });

    const refusal = await bot.request(MINT, { coins: 2 }).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(BusRemoteError);
    expect(refusal).toMatchObject({ status: 403, code: ErrorCode.FORBIDDEN });
    expect(minted).not.toContain(2);
  });

  it("answers FORBIDDEN to a message whose signature does not verify (a key other than the sender's)", async () => {
    const impostor = await client({
      sender: 'gateway',
      // Knows the Redis password but not the gateway's key.
      keyring: new BusKeyring({
        own: { gateway: 'a-guess-at-the-gateway-key-0123456789' },
        trusted: { mint: developmentBusKey('mint') },
      }),
    });

    await expect(impostor.request(MINT, { coins: 3 })).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
    expect(minted).not.toContain(3);
  });

  it('answers FORBIDDEN to an unsigned message written straight into the stream', async () => {
    const channel = keys.replyChannel('gateway', 'raw-writer');
    const listener = new Redis(space.url);
    const replies: string[] = [];
    listener.on('message', (_channel: string, message: string) => replies.push(message));
    await listener.subscribe(channel);
    try {
      await redis.xadd(
        keys.requestStream('mint'),
        '*',
        ...encodeEnvelope({
          kind: 'request',
          id: 'raw-1',
          pattern: MINT,
          data: { coins: 4 },
          replyTo: channel,
          deadline: Date.now() + 5000,
        }),
      );

      await eventually(() => replies.length === 1);
      expect(replies[0]).toContain('"code":"FORBIDDEN"');
      expect(minted).not.toContain(4);
      // Refused entries are deleted like handled ones.
      await eventually(async () => (await redis.xlen(keys.requestStream('mint'))) === 0);
    } finally {
      listener.disconnect();
    }
  });

  it('ignores a reply signed by anyone but the service that was asked', async () => {
    const gateway = await client({ sender: 'gateway', requestTimeoutMs: 5000 });
    const answer = gateway.request(SLOW, { ms: 700 });
    let request: { i: string; r: string } | undefined;
    await eventually(async () => {
      const entries = await redis.xrange(keys.requestStream('mint'), '-', '+');
      if (entries.length === 0) return false;
      const [[, fields]] = entries;
      request = JSON.parse(fields[fields.indexOf(MESSAGE_FIELD) + 1]) as { i: string; r: string };
      return true;
    });
    const { i: id, r: replyTo } = request as { i: string; r: string };
    const bot = new BusKeyring({ own: {}, trusted: {}, developmentKeys: true });
    // A party with a valid key of its own (the bot), and a forger without any key.
    await redis.publish(
      replyTo,
      encodeSignedReplies([{ id, response: 'forged by the bot' }], (message) => ({
        sender: 'bot',
        signature: bot.sign('bot', message),
      })),
    );
    await redis.publish(replyTo, JSON.stringify({ id, response: 'forged, unsigned' }));

    await expect(answer).resolves.toBe('genuine');
  });

  it('drops an event from a party that may not publish it, and runs the allowed one', async () => {
    const gateway = await client({ sender: 'gateway' });
    const users = await client({ sender: 'users' });

    await gateway.publishEvent(MINTED, { coins: 5 });
    await users.publishEvent(MINTED, { coins: 6 });

    await eventually(() => heard.includes(6));
    expect(heard).not.toContain(5);
  });

  it('refuses a pattern nobody declared an allow-list for', async () => {
    const gateway = await client({ sender: 'gateway' });

    await expect(gateway.request('mint.undeclared', {})).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
    });
  });
});
