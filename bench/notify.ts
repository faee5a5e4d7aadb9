/**
 * Notification benchmark (`npm run bench:notify`): an announcement to 10,000 members through the
 * bot's delivery queue, sent by two bot replicas to the fake Telegram Bot API at
 * TELEGRAM_SEND_RATE=1000, while members keep writing commands to the bot.
 *
 *   - The fake Bot API (libs/testing) runs in this process, with a chat open for every member.
 *   - The built users service, gateway and two bot replicas run as child processes (one database
 *     and key prefix for this run, removed at the end); the bots point TELEGRAM_API_ROOT at the
 *     fake and share the delivery queue in Redis.
 *   - The announcement is enqueued from this process through the bot's own DeliveryQueue class
 *     with the bots' key prefix (startBroadcast, then enqueue of one message per member), as the
 *     announcement consumer does on `event.created`; the bots' workers send it.
 *   - Meanwhile simulated members send `/profile` (or `--command help`) every 50 ms in all, each
 *     command from the next of 50 members; its delay is from the moment the fake holds the update
 *     to the arrival of the bot's answer at the fake. The same load is measured first without a
 *     broadcast, for comparison.
 *
 * Measured at the fake: broadcast messages per second from the first to the last (vs the
 * configured rate), duplicates and missed members, the most in any 1-second window, the shortest
 * gap between two messages to one chat, and the command delays (p50/p99). Prints tables, the
 * targets (>= 90 % of the configured rate, command p99 < 1 s, no duplicates, none missed: met or
 * NOT met) and writes bench/results/notify-*.json.
 *
 *   npm run bench:notify [-- --members 10000 --rate 1000 --replicas 2 --commanders 50
 *                           --command-interval 50 --command profile --idle-seconds 3
 *                           --warmup-members 0
 *                           --log-level warn]
 *   smoke: npm run bench:notify -- --members 500 --rate 200 --idle-seconds 1
 */
import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Redis from 'ioredis';
import { FakeTelegramBotApi, TelegramTestUser, telegramUser } from '@up/testing';
import { DeliveryQueue } from '../apps/bot/src/delivery/delivery-queue';
import type { OutgoingMessage } from '../apps/bot/src/delivery/delivery.types';
import {
  argValue,
  BuiltPlatform,
  fmt,
  pool,
  printTable,
  startBuiltPlatform,
  writeResults,
} from './lib';
import { ClaimSampler } from './notify/claims';
import {
  CommandDelays,
  commandDelays,
  CommandLoad,
  CommandSample,
  waitForAnswers,
} from './notify/commands';
import { BroadcastProgress, BroadcastSends, broadcastSends } from './notify/sends';

const memberCount = Number(argValue('members', '10000'));
const rate = Number(argValue('rate', '1000'));
const replicas = Number(argValue('replicas', '2'));
const commanderCount = Number(argValue('commanders', '50'));
const commandIntervalMs = Number(argValue('command-interval', '50'));
const command = argValue('command', 'profile');
const idleSeconds = Number(argValue('idle-seconds', '3'));
/**
 * A broadcast to this many other members before the measured one (0: none, the default): the
 * measured one then runs on warm bots (JIT, connections), as in a bot that has broadcast before.
 */
const warmupMembers = Number(argValue('warmup-members', '0'));
const logLevel = argValue('log-level', 'warn');

if (command !== 'profile' && command !== 'help') {
  throw new Error(`--command is profile or help, not ${command}`);
}
const COMMAND_TEXT = `/${command}`;
/** What the command's answer shows (anything else, e.g. "the service is unavailable", is wrong). */
const isRightAnswer = (text: string): boolean =>
  command === 'profile' ? text.includes('?start=') : text.includes('/profile');

const EVENT_ID = `bench-event-${randomInt(1_000_000)}`;
const TITLE = 'Bench night';
/** Every announcement carries this marker, which tells it from a command's answer. */
const MARKER = `[${EVENT_ID}]`;
const ANNOUNCEMENT = {
  ru: `<b>Новое событие: ${TITLE}</b>\nПятница, 19:00, клуб UP ${MARKER}`,
  en: `<b>New event: ${TITLE}</b>\nFriday, 19:00, UP club ${MARKER}`,
};
const isBroadcast = (text: string): boolean => text.includes(MARKER);
const WARMUP_MARKER = `[${EVENT_ID}-warmup]`;

/** The delivery queue's retry settings as the bot's defaults (BotConfig); only enqueue runs here. */
const QUEUE_DEFAULTS = {
  maxAttempts: 5,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  sendTimeoutMs: 10_000,
};

let platform: BuiltPlatform | undefined;
let fake: FakeTelegramBotApi | undefined;

interface Target {
  target: string;
  value: number;
  unit: string;
  limit: string;
  result: 'met' | 'NOT met';
}

function target(
  name: string,
  value: number,
  unit: string,
  limit: string,
  holds: (value: number) => boolean,
): Target {
  return {
    target: name,
    value,
    unit,
    limit,
    result: Number.isFinite(value) && holds(value) ? 'met' : 'NOT met',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function readyForBench(_status: number, body: string): boolean {
  try {
    const { checks } = JSON.parse(body) as { checks?: Record<string, { status: string }> };
    return ['redis', 'users'].every((name) => checks?.[name]?.status === 'up');
  } catch {
    return false;
  }
}

/** Members with consecutive Telegram ids from a random base (no two runs share a chat). */
function makeMembers(count: number): TelegramTestUser[] {
  const base = 6_000_000_000 + randomInt(1_000_000) * 100_000;
  return Array.from({ length: count }, (_, i) =>
    telegramUser({ id: base + i, language_code: i % 4 === 0 ? 'en' : 'ru' }),
  );
}

function announcementFor(
  member: TelegramTestUser,
  broadcastId: string,
  eventId = EVENT_ID,
): OutgoingMessage {
  return {
    key: `${eventId}:${member.id}:announcement`,
    chatId: String(member.id),
    memberId: `member-${member.id}`,
    kind: 'announcement',
    text:
      eventId === EVENT_ID
        ? member.language_code === 'en'
          ? ANNOUNCEMENT.en
          : ANNOUNCEMENT.ru
        : `Warm-up ${WARMUP_MARKER}`,
    parseMode: 'HTML',
    broadcastId,
  };
}

/** The command load for `seconds` (or until `until` resolves), then every answer (up to 15 s). */
async function commandPhase(
  telegram: FakeTelegramBotApi,
  commanders: TelegramTestUser[],
  until: Promise<unknown>,
): Promise<{ delays: CommandDelays; samples: CommandSample[] }> {
  const load = new CommandLoad(telegram, commanders, COMMAND_TEXT, commandIntervalMs);
  load.start();
  let samples: CommandSample[];
  try {
    await until;
  } finally {
    samples = load.stop();
  }
  await waitForAnswers(telegram, samples, isBroadcast, 15_000);
  return {
    delays: commandDelays(telegram.calls, samples, isBroadcast, isRightAnswer),
    samples,
  };
}

function commandRows(label: string, delays: CommandDelays) {
  return [
    { measure: `${label}: commands sent`, value: delays.sent },
    { measure: `${label}: answered`, value: delays.answered },
    {
      measure: `${label}: answered wrongly / unanswered`,
      value: `${delays.wrong} / ${delays.unanswered}`,
    },
    { measure: `${label}: p50 (ms)`, value: delays.latency.p50 },
    { measure: `${label}: p99 (ms)`, value: delays.latency.p99 },
    { measure: `${label}: max (ms)`, value: delays.latency.max },
  ];
}

async function main(): Promise<void> {
  const telegram = await FakeTelegramBotApi.start();
  fake = telegram;
  const members = makeMembers(memberCount);
  const warmupChats = makeMembers(warmupMembers);
  telegram.openChats([...members, ...warmupChats]);
  // The commanders are members too: they get the announcement in the same chat as their answers.
  const step = Math.max(1, Math.floor(memberCount / commanderCount));
  const commanders = members.filter((_, i) => i % step === 0).slice(0, commanderCount);

  platform = await startBuiltPlatform({
    name: 'notify',
    services: ['users', 'bot'],
    replicas: { bot: replicas },
    env: {
      LOG_LEVEL: logLevel,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_SEND_RATE: String(rate),
    },
    ready: readyForBench,
  });
  const running = platform;
  // Each replica calls getMe once it is up (its delivery worker started just before); one polls.
  await waitUntil(
    `${replicas} bot replicas connected to the fake Bot API`,
    120_000,
    () => telegram.calls.filter((call) => call.method === 'getMe').length >= replicas,
  );
  await telegram.waitUntilPolling(60_000);

  process.stdout.write(`Warming up: ${commanders.length} members send ${COMMAND_TEXT} once...\n`);
  await pool(commanders, 10, (user) => telegram.ask(user, COMMAND_TEXT, 30_000));

  process.stdout.write(`Commands without a broadcast for ${idleSeconds} s...\n`);
  const idle = await commandPhase(telegram, commanders, sleep(idleSeconds * 1000));

  const redis = new Redis(running.env.REDIS_URL);
  const queue = new DeliveryQueue({
    options: {
      prefix: running.redisPrefix,
      rate,
      ...QUEUE_DEFAULTS,
      workerName: 'bench-enqueuer',
    },
    redisUrl: running.env.REDIS_URL,
    // No token: this queue only enqueues, the bots' workers send.
    reachability: { markUnreachable: () => Promise.resolve() },
  });
  await queue.start();
  const claims = new ClaimSampler(redis, queue.store.base);
  try {
    if (warmupChats.length > 0) {
      process.stdout.write(`Warm-up broadcast to ${warmupChats.length} other members...\n`);
      const warmupId = await queue.startBroadcast({
        kind: 'announcement',
        total: warmupChats.length,
      });
      await queue.enqueue(
        warmupChats.map((m) => announcementFor(m, warmupId, `${EVENT_ID}-warmup`)),
      );
      const warmed = new BroadcastProgress((text) => text.includes(WARMUP_MARKER));
      await waitUntil(
        'the warm-up broadcast',
        120_000,
        () => warmed.update(telegram.calls) >= warmupChats.length,
      );
      await sleep(1000);
    }
    process.stdout.write(
      `Announcing to ${memberCount} members at TELEGRAM_SEND_RATE=${rate} with ${replicas} bot replicas, ` +
        `${COMMAND_TEXT} every ${commandIntervalMs} ms meanwhile...\n`,
    );
    const progress = new BroadcastProgress(isBroadcast);
    const expectedMs = (memberCount / rate) * 1000;
    const timeoutMs = Math.max(60_000, expectedMs * 4 + 30_000);
    let enqueueMs = 0;
    let broadcastId = '';
    // The fake runs here: a late event loop would delay its answers and its arrival times.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const loadBefore = loadavg();
    const startedAt = Date.now();

    const broadcast = (async () => {
      claims.start();
      broadcastId = await queue.startBroadcast({
        kind: 'announcement',
        eventId: EVENT_ID,
        title: TITLE,
        total: memberCount,
      });
      const added = await queue.enqueue(members.map((m) => announcementFor(m, broadcastId)));
      enqueueMs = Date.now() - startedAt;
      if (added !== memberCount) throw new Error(`enqueued ${added} of ${memberCount}`);
      let lastReport = Date.now();
      const deadline = startedAt + timeoutMs;
      while (progress.update(telegram.calls) < memberCount && Date.now() < deadline) {
        await sleep(50);
        if (Date.now() - lastReport >= 2000) {
          lastReport = Date.now();
          process.stdout.write(`  ${progress.update(telegram.calls)} / ${memberCount} sent\n`);
        }
      }
    })();
    const during = await commandPhase(telegram, commanders, broadcast);
    const replicaClaims = claims.stop();
    loopDelay.disable();
    const loadAfter = loadavg();
    const benchLoop = {
      p99Ms: loopDelay.percentile(99) / 1e6,
      maxMs: loopDelay.max / 1e6,
    };

    // Late or repeated sends would show up now; then the queue's own account of the broadcast.
    await sleep(1500);
    let view = (await queue.listBroadcasts(10)).find((b) => b.id === broadcastId);
    for (let i = 0; i < 50 && !view?.finished_at; i += 1) {
      await sleep(100);
      view = (await queue.listBroadcasts(10)).find((b) => b.id === broadcastId);
    }
    const sends: BroadcastSends = broadcastSends(
      telegram.calls.filter((call) => call.at.getTime() >= startedAt),
      members,
      isBroadcast,
    );
    const deadLetters = await queue.deadLetters(1000);

    printTable(
      `Commands (${COMMAND_TEXT}, one every ${commandIntervalMs} ms from ${commanders.length} members)`,
      [
        ...commandRows('no broadcast', idle.delays),
        ...commandRows('during the broadcast', during.delays),
      ],
    );
    printTable(
      `Announcement to ${memberCount} members, TELEGRAM_SEND_RATE=${rate}, ${replicas} bot replicas${warmupMembers > 0 ? `, after a warm-up broadcast to ${warmupMembers}` : " (cold: the bots' first broadcast)"}`,
      [
        { measure: 'enqueue (startBroadcast + enqueue) (ms)', value: enqueueMs },
        { measure: 'first message after the enqueue began (ms)', value: sends.firstAt - startedAt },
        { measure: 'last message after the enqueue began (ms)', value: sends.lastAt - startedAt },
        { measure: 'messages/s, first to last at the fake', value: Math.round(sends.perSecond) },
        {
          measure: 'of the configured rate (%)',
          value: Math.round((sends.perSecond / rate) * 1000) / 10,
        },
        {
          measure: 'messages/s, 10th to 90th percentile message (sustained)',
          value: Math.round(sends.middlePerSecond),
        },
        {
          measure: 'messages in each second from the first',
          value:
            sends.perSecondTimeline.slice(0, 30).join(' ') +
            (sends.perSecondTimeline.length > 30 ? ' ...' : ''),
        },
        { measure: 'most in any 1 s window (broadcast)', value: sends.maxInAnySecond },
        {
          measure: 'most in any 1 s window (all sends, answers too)',
          value: sends.maxInAnySecondAllSends,
        },
        {
          measure: 'shortest gap between two messages to one chat (ms)',
          value: Number.isFinite(sends.minChatGapMs) ? sends.minChatGapMs : 'none got two',
        },
        { measure: 'sends accepted / refused', value: `${sends.accepted} / ${sends.refused}` },
        { measure: 'duplicates', value: sends.duplicates },
        { measure: 'missed members', value: sends.missed },
        { measure: 'dead letters', value: deadLetters.length },
        {
          measure: 'queue: sent / failed / blocked / queued',
          value: view ? `${view.sent} / ${view.failed} / ${view.blocked} / ${view.queued}` : '-',
        },
        {
          measure: 'this process (the fake): event loop delay p99 / max (ms)',
          value: `${fmt(benchLoop.p99Ms, 1)} / ${fmt(benchLoop.maxMs, 1)}`,
        },
        {
          measure: 'machine load average (1 min) before / after',
          value: `${fmt(loadBefore[0], 1)} / ${fmt(loadAfter[0], 1)}`,
        },
        {
          measure: 'messages seen claimed per replica (sampled)',
          value:
            Object.entries(replicaClaims)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([owner, n]) => `${owner}: ${n}`)
              .join(', ') || '-',
        },
      ],
    );

    const targets = [
      target(
        `messages/s >= 90 % of TELEGRAM_SEND_RATE (${rate})`,
        sends.perSecond,
        'msg/s',
        `>= ${fmt(rate * 0.9, 0)}`,
        (perSecond) => perSecond >= rate * 0.9,
      ),
      target(
        `${COMMAND_TEXT} answer p99 during the broadcast`,
        during.delays.latency.p99,
        'ms',
        '< 1000',
        (ms) => ms < 1000,
      ),
      target('duplicates', sends.duplicates, '', '= 0', (n) => n === 0),
      target('missed members', sends.missed, '', '= 0', (n) => n === 0),
      target(
        'most in any 1 s window (broadcast)',
        sends.maxInAnySecond,
        'msg',
        `<= ${rate}`,
        (n) => n <= rate,
      ),
      target(
        'commands unanswered or answered wrongly',
        during.delays.unanswered + during.delays.wrong + idle.delays.unanswered + idle.delays.wrong,
        '',
        '= 0',
        (n) => n === 0,
      ),
    ];
    printTable(
      'Targets',
      targets.map((t) => ({
        target: t.target,
        measured: `${fmt(t.value, 1)}${t.unit ? ` ${t.unit}` : ''}`,
        limit: `${t.limit}${t.unit ? ` ${t.unit}` : ''}`,
        result: t.result,
      })),
    );

    const path = writeResults('notify', {
      members: memberCount,
      rate,
      replicas,
      commanders: commanders.length,
      commandIntervalMs,
      command: COMMAND_TEXT,
      idleSeconds,
      warmupMembers,
      logLevel,
      loadavg: { before: loadBefore, after: loadAfter },
      benchEventLoopDelay: benchLoop,
      enqueueMs,
      broadcast: {
        ...sends,
        firstAfterEnqueueMs: sends.firstAt - startedAt,
        lastAfterEnqueueMs: sends.lastAt - startedAt,
        ofConfiguredRate: sends.perSecond / rate,
        deadLetters: deadLetters.length,
        view: view ?? null,
        replicaClaims,
      },
      commands: { idle: idle.delays, duringBroadcast: during.delays },
      targets,
    });
    process.stdout.write(`Results written to ${path}\n`);
    if (sends.duplicates > 0 || sends.missed > 0) process.exitCode = 1;
  } finally {
    claims.stop();
    await queue.stop(1000);
    redis.disconnect();
  }
}

main()
  .catch((error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(
      `bench:notify failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  })
  .finally(async () => {
    try {
      await platform?.stop();
      await fake?.close();
    } catch (error) {
      process.exitCode = 1;
      process.stderr.write(`bench:notify cleanup failed: ${String(error)}\n`);
    }
  });
