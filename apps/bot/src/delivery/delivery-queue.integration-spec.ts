import type { LoggerService } from '@nestjs/common';
import {
  createTestRedisSpace,
  FakeTelegramBotApi,
  maxInAnyWindow,
  minGapPerChat,
  RecordedCall,
  SendRecord,
  telegramUser,
  TelegramTestUser,
  TestRedisSpace,
  TEST_REDIS_URL,
} from '@up/testing';
import { DeliveryQueue } from './delivery-queue';
import type { DeliveryOptions, OutgoingMessage } from './delivery.types';

/**
 * The delivery queue against the real Redis and the fake Bot API, with two workers (two bot
 * replicas' queues) on one key prefix. A high rate keeps the 2,000-member announcement short; the
 * limits are checked on the fake's own arrival times.
 */

const RATE = 200;
const silent: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

interface Harness {
  fake: FakeTelegramBotApi;
  redis: TestRedisSpace;
  unreachable: string[];
  queue(worker: string, options?: Partial<DeliveryOptions>): Promise<DeliveryQueue>;
  close(): Promise<void>;
}

async function newHarness(): Promise<Harness> {
  const fake = await FakeTelegramBotApi.start();
  const redis = createTestRedisSpace();
  const unreachable: string[] = [];
  const queues: DeliveryQueue[] = [];
  return {
    fake,
    redis,
    unreachable,
    async queue(worker, options = {}) {
      const queue = new DeliveryQueue({
        options: {
          prefix: redis.prefix,
          rate: RATE,
          maxAttempts: 3,
          retryBaseMs: 50,
          retryMaxMs: 400,
          sendTimeoutMs: 2000,
          workerName: worker,
          ...options,
        },
        redisUrl: TEST_REDIS_URL,
        telegram: { token: fake.token, apiRoot: fake.url },
        reachability: {
          markUnreachable: (chatId) => {
            unreachable.push(chatId);
            return Promise.resolve();
          },
        },
        logger: silent,
      });
      await queue.start();
      queues.push(queue);
      return queue;
    },
    async close() {
      await Promise.all(queues.map((q) => q.stop(1000).catch(() => undefined)));
      await fake.close();
      await redis.clear();
    },
  };
}

function announcement(users: TelegramTestUser[], broadcastId: string): OutgoingMessage[] {
  return users.map((user) => ({
    key: `event-1:${user.id}:announcement`,
    chatId: String(user.id),
    memberId: `member-${user.id}`,
    kind: 'announcement',
    text: `New event for ${user.first_name}`,
    broadcastId,
  }));
}

/** Resolves once the fake has accepted `count` sends (counted from now). */
function acceptedSends(fake: FakeTelegramBotApi, count: number): Promise<RecordedCall> {
  let seen = 0;
  return fake.waitForCall('sendMessage', (call) => call.error === undefined && ++seen >= count, {
    since: fake.mark(),
    timeoutMs: 40_000,
  });
}

async function finished(queue: DeliveryQueue, broadcastId: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const found = (await queue.listBroadcasts(20)).find((b) => b.id === broadcastId);
    if (found?.finished_at) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Broadcast ${broadcastId} did not finish`);
}

describe(`${DeliveryQueue.name}: an announcement to 2,000 members, two workers`, () => {
  let h: Harness;
  let first: DeliveryQueue;
  let second: DeliveryQueue;
  let broadcastId: string;
  let sends: SendRecord[];
  const users = Array.from({ length: 2000 }, () => telegramUser());
  // Each group is reached after the flood and the kill, by the surviving worker; the two members
  // refused with 429 are far apart in the queue (several chats refused within a second would
  // pause everything).
  const blocked = users.slice(0, 20);
  const limited = [users[1400], users[1800]];
  const flaky = users.slice(1500, 1510);
  const dropped = users.slice(1600, 1605);
  let flood: { hits: number };
  let floodStart = 0;

  beforeAll(async () => {
    h = await newHarness();
    h.fake.openChats(users);
    h.fake.fail({ answer: { status: 403 }, chats: blocked.map((u) => u.id) });
    h.fake.fail({
      answer: { status: 429, retryAfter: 2 },
      chats: limited.map((u) => u.id),
      times: limited.length,
    });
    h.fake.fail({ answer: { status: 502 }, chats: flaky.map((u) => u.id), times: flaky.length });
    h.fake.fail({ answer: { status: 'drop' }, chats: dropped.map((u) => u.id), times: 5 });
    first = await h.queue('bot-a');
    second = await h.queue('bot-b');

    broadcastId = await first.startBroadcast({
      kind: 'announcement',
      eventId: 'event-1',
      title: 'Spring party',
      total: users.length,
    });
    const sentBefore = await first.metrics.valueOf('announcement', 'sent');
    const reclaimedBefore = await first.metrics.valueOf('announcement', 'reclaimed');
    expect(await first.enqueue(announcement(users, broadcastId))).toBe(users.length);

    // A flood: Telegram refuses everything for 300 ms.
    await acceptedSends(h.fake, 200);
    floodStart = Date.now();
    flood = h.fake.fail({ answer: { status: 429, retryAfter: 1 }, forMs: 300 });

    // A replica dies halfway.
    await acceptedSends(h.fake, 500);
    first.kill();

    await finished(second, broadcastId);
    sends = h.fake.sends();
    sentMetric = (await second.metrics.valueOf('announcement', 'sent')) - sentBefore;
    reclaimed = (await second.metrics.valueOf('announcement', 'reclaimed')) - reclaimedBefore;
  }, 60_000);
  let sentMetric = 0;
  let reclaimed = 0;

  afterAll(() => h?.close());

  it('messages every reachable member exactly once, the worker killed halfway notwithstanding', () => {
    const accepted = new Map<number, number>();
    for (const send of sends.filter((s) => s.accepted))
      accepted.set(send.chatId, (accepted.get(send.chatId) ?? 0) + 1);
    const blockedIds = new Set(blocked.map((u) => u.id));
    const reachable = users.filter((u) => !blockedIds.has(u.id));

    expect(
      reachable.filter((u) => accepted.get(u.id) !== 1).map((u) => accepted.get(u.id)),
    ).toEqual([]);
    expect(blocked.filter((u) => accepted.has(u.id))).toEqual([]);
    expect(sends.filter((s) => s.accepted)).toHaveLength(reachable.length);
  });

  it('took over what the killed worker held: claimed messages sent again, sends under way not', async () => {
    const uncertain = (await second.deadLetters(1000)).filter((d) => d.outcome === 'uncertain');
    expect(reclaimed + uncertain.length).toBeGreaterThan(0);
    // An uncertain send reached the fake before its worker died: it is not sent a second time.
    for (const letter of uncertain)
      expect(sends.filter((s) => s.chatId === Number(letter.chatId) && s.accepted)).toHaveLength(1);
  });

  it('never sends more than the configured rate in any second, nor twice to a chat within a second', () => {
    expect(maxInAnyWindow(sends, 1000)).toBeLessThanOrEqual(RATE);
    expect(minGapPerChat(sends)).toBeGreaterThanOrEqual(1000);
  });

  it("waits a chat's retry_after after its 429", () => {
    for (const user of limited) {
      const toChat = sends.filter((s) => s.chatId === user.id);
      expect(toChat.map((s) => s.accepted)).toEqual([false, true]);
      expect(toChat[1].at - toChat[0].at).toBeGreaterThanOrEqual(2000);
    }
  });

  it('pauses every send when Telegram refuses several chats at once', () => {
    const refused = sends.filter((s) => s.error?.startsWith('Too Many Requests: retry after 1'));
    // Without the global pause the 300 ms flood would refuse ~60 sends at 200/s.
    expect(flood.hits).toBe(refused.length);
    expect(refused.length).toBeLessThanOrEqual(10);
    const third = refused[2];
    expect(third.at).toBeGreaterThanOrEqual(floodStart);
    // What was already on the wire may still arrive; nothing new starts within the pause.
    expect(sends.filter((s) => s.at > third.at + 100 && s.at < third.at + 1000)).toEqual([]);
  });

  it('retries 5xx and dropped connections', () => {
    for (const user of [...flaky, ...dropped]) {
      const toChat = sends.filter((s) => s.chatId === user.id);
      expect(toChat.map((s) => s.accepted)).toEqual([false, true]);
    }
  });

  it('marks members who blocked the bot unreachable, once each', () => {
    expect([...h.unreachable].sort()).toEqual(blocked.map((u) => String(u.id)).sort());
  });

  it('counts the broadcast and the metric', async () => {
    const [view] = (await second.listBroadcasts(5)).filter((b) => b.id === broadcastId);
    expect(view).toMatchObject({
      kind: 'announcement',
      event_id: 'event-1',
      title: 'Spring party',
      total: 2000,
      queued: 0,
      sent: 1980,
      failed: 0,
      blocked: 20,
    });
    expect(view.finished_at).not.toBeNull();
    // Sends the killed worker made but could not record count as uncertain, not sent.
    const uncertain = (await second.deadLetters(1000)).filter((d) => d.outcome === 'uncertain');
    expect(sentMetric + uncertain.length).toBe(1980);
  });

  it('ignores the same keys enqueued again', async () => {
    const mark = h.fake.mark();
    expect(await second.enqueue(announcement(users, broadcastId))).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.fake.calls.filter((c) => c.seq > mark && c.method === 'sendMessage')).toEqual([]);
  });
});

describe(`${DeliveryQueue.name}: dead letters`, () => {
  let h: Harness;

  beforeAll(async () => {
    h = await newHarness();
  });

  afterAll(() => h?.close());

  it('dead-letters a message that keeps failing, with its reason, and one refused for good at once', async () => {
    const [down, unknown, fine] = [telegramUser(), telegramUser(), telegramUser()];
    h.fake.openChats([down, fine]);
    h.fake.fail({ answer: { status: 500 }, chats: [down.id] });
    const queue = await h.queue('bot-a');
    const broadcastId = await queue.startBroadcast({ kind: 'reminder', total: 3 });
    await queue.enqueue(
      [down, unknown, fine].map((user) => ({
        key: `reminder:${user.id}`,
        chatId: String(user.id),
        kind: 'reminder',
        text: 'Tomorrow at 19:00',
        broadcastId,
      })),
    );

    await finished(queue, broadcastId);

    const letters = await queue.deadLetters(10);
    expect(letters.map((l) => [l.chatId, l.outcome, l.reason]).sort()).toEqual(
      [
        [String(down.id), 'failed', '500: Internal Server Error'],
        [String(unknown.id), 'failed', '400: Bad Request: chat not found'],
      ].sort(),
    );
    expect(h.fake.sends().filter((s) => s.chatId === down.id)).toHaveLength(3);
    expect((await queue.listBroadcasts(1))[0]).toMatchObject({ sent: 1, failed: 2, queued: 0 });
  });
});
