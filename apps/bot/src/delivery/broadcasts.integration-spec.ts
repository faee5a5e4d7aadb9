import Redis from 'ioredis';
import { BusKeys } from '@up/bus';
import { BOT, BroadcastView, ErrorCode, healthPattern, USERS } from '@up/contracts';
import {
  errorCodeOf,
  FakeTelegramBotApi,
  Platform,
  startPlatform,
  telegramUser,
  TEST_REDIS_URL,
} from '@up/testing';
import { DeliveryQueue } from './delivery-queue';

/**
 * The bot as a bus service: its delivery queue sends through the fake Bot API, `bot.list_broadcasts`
 * answers over the bus, a 403 becomes a `users.set_telegram_reachable` request, and a member's own
 * message is answered while a broadcast is still going out.
 */
describe('bot broadcasts over the bus', () => {
  let platform: Platform;
  let telegram: FakeTelegramBotApi;
  let queue: DeliveryQueue;

  beforeAll(async () => {
    platform = await startPlatform({
      apps: ['bot'],
      // Slow enough that the broadcast below is still going out when the member writes.
      appEnv: { bot: { TELEGRAM_SEND_RATE: '10', BUS_REQUEST_TIMEOUT_MS: '500' } },
      telegram: {},
    });
    telegram = platform.telegram;
    queue = platform.app('bot').get(DeliveryQueue);
  }, 60_000);

  afterAll(() => platform?.close());

  async function broadcastWhenFinished(id: string): Promise<BroadcastView> {
    for (let i = 0; i < 200; i += 1) {
      const { broadcasts } = await platform.bus.send(BOT.LIST_BROADCASTS, { limit: 5 });
      const found = broadcasts.find((b) => b.id === id);
      if (found?.finished_at) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Broadcast ${id} did not finish`);
  }

  it('counts a broadcast, reports a member who blocked the bot, and answers a member meanwhile', async () => {
    const members = Array.from({ length: 20 }, () => telegramUser());
    const [blocked] = members;
    const writer = telegramUser();
    telegram.openChats(members);
    telegram.fail({ answer: { status: 403 }, chats: [blocked.id] });
    const id = await queue.startBroadcast({
      kind: 'announcement',
      eventId: 'event-42',
      title: 'Quiz night',
      total: members.length,
    });
    await queue.enqueue(
      members.map((m) => ({
        key: `event-42:${m.id}:announcement`,
        chatId: String(m.id),
        kind: 'announcement',
        text: 'Quiz night on Friday',
        broadcastId: id,
      })),
    );

    await telegram.waitForCall('sendMessage', (c) => c.error === undefined, { since: 0 });
    await telegram.ask(writer, 'hello');
    const view = await broadcastWhenFinished(id);

    expect(view).toMatchObject({
      kind: 'announcement',
      event_id: 'event-42',
      title: 'Quiz night',
      total: 20,
      queued: 0,
      sent: 19,
      failed: 0,
      blocked: 1,
    });
    // The member's answer went out directly, not after the broadcast.
    const sends = telegram.sends();
    const answeredAt = sends.find((s) => s.chatId === writer.id)?.at ?? Infinity;
    expect(answeredAt).toBeLessThan(Math.max(...sends.map((s) => s.at)));

    const redis = new Redis(TEST_REDIS_URL);
    try {
      const entries = await redis.xrange(
        new BusKeys(platform.env.REDIS_KEY_PREFIX).requestStream('users'),
        '-',
        '+',
      );
      const requests = entries.map(
        ([, fields]) => JSON.parse(fields[1]) as { p: string; d: unknown },
      );
      expect(requests.filter((r) => r.p === USERS.SET_TELEGRAM_REACHABLE)).toEqual([
        expect.objectContaining({ d: { telegram_id: String(blocked.id), reachable: false } }),
      ]);
    } finally {
      redis.disconnect();
    }
  });

  it('answers bot.health like the services do', async () => {
    expect(await platform.bus.send(healthPattern('bot'), {})).toMatchObject({
      status: 'ok',
      service: 'bot',
      checks: { redis: { status: 'up' } },
    });
  });

  it('refuses a limit out of range', async () => {
    expect(await errorCodeOf(platform.bus.send(BOT.LIST_BROADCASTS, { limit: 0 }))).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
  });
});
