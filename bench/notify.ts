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
 * gap between two messages to one chat, and the command delays (p50/p99); then the resident size
 * of every app process. Prints tables, the targets table (sustained rate >= 90 % of the configured
 * rate, never more than the rate in any 1 s window, RSS of each app <= 150 MB, command p99 < 1 s,
 * no duplicates, none missed: met or NOT met) and writes bench/results/notify-*.json.
 *
 * `--cpu-prof` runs every app with `--cpu-prof` (profiles under bench/results/profiles/notify-*)
 * and prints a summary of each bot replica's profile.
 *
 *   npm run bench:notify [-- --members 10000 --rate 1000 --replicas 2 --commanders 50
 *                           --command-interval 50 --command profile --idle-seconds 3
 *                           --warmup-members 0 --cpu-prof
 *                           --log-level warn]
 *   smoke: npm run bench:notify -- --members 500 --rate 200 --idle-seconds 1
 */
import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
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
  printProfileSummary,
  printRuntime,
  printTable,
  printTargets,
  RESULTS_DIR,
  startBuiltPlatform,
  summarizeProfile,
  target,
  writeResults,
} from './lib';
import { BotReplicas } from './notify/bots';
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
const profileDir = process.argv.includes('--cpu-prof')
  ? join(RESULTS_DIR, 'profiles', `notify-${Date.now()}`)
  : undefined;

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
let bots: BotReplicas | undefined;
let fake: FakeTelegramBotApi | undefined;

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
  printRuntime();
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
    services: ['users'],
    env: {
      // Production refuses the fake's made-up bot token and wants bus keys and SMTP; development
      // takes its well-known defaults for those and changes nothing on the measured paths.
      NODE_ENV: 'development',
      // Any free ops port: other processes on this machine may hold the default one.
      OPS_PORT: '0',
      LOG_LEVEL: logLevel,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_SEND_RATE: String(rate),
    },
    ready: readyForBench,
  });
  const running = platform;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  bots = new BotReplicas(running.env, profileDir);
  process.stdout.write(
    `Starting ${replicas} bot replicas${profileDir ? ' (--cpu-prof)' : ''}...\n`,
  );
  bots.start(replicas);
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
    const rssBefore = bots.rss();
    const cpuBefore = bots.cpuSeconds();
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
    const cpuAfter = bots.cpuSeconds();
    const botCpuMsPerMessage =
      (Object.keys(cpuAfter).reduce((sum, bot) => sum + cpuAfter[bot] - (cpuBefore[bot] ?? 0), 0) *
        1000) /
      memberCount;
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
          measure: 'bot CPU time per message, all replicas (ms, commands included)',
          value: fmt(botCpuMsPerMessage, 2),
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

    const rss = { ...running.rss(), ...(bots?.rss() ?? {}) };
    printTable(
      'Resident set size after the load (MB)',
      Object.entries(rss).map(([app, mb]) => ({
        app,
        'before the broadcast': rssBefore[app] === undefined ? '-' : fmt(rssBefore[app], 1),
        'after the load': fmt(mb, 1),
      })),
    );
    if (profileDir && bots) {
      // The replicas write their profiles as they exit.
      await bots.stop();
      for (const file of bots.profiles()) {
        printProfileSummary('bot replica', summarizeProfile(file));
      }
    }

    const targets = [
      target('notify sustained rate ÷ TELEGRAM_SEND_RATE', sends.perSecond / rate, '>=', 0.9),
      target(
        'max messages in any 1 s window (broadcast, at the fake Bot API)',
        sends.maxInAnySecond,
        '<=',
        rate,
        'msg',
      ),
      ...Object.entries(rss).map(([app, mb]) =>
        target(`RSS ${app} after load`, mb, '<=', 150, 'MB'),
      ),
      target(
        `${COMMAND_TEXT} answer p99 during the broadcast`,
        during.delays.latency.p99,
        '<=',
        1000,
        'ms',
      ),
      target('duplicates', sends.duplicates, '<=', 0),
      target('missed members', sends.missed, '<=', 0),
      target(
        'commands unanswered or answered wrongly',
        during.delays.unanswered + during.delays.wrong + idle.delays.unanswered + idle.delays.wrong,
        '<=',
        0,
      ),
    ];
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
      rssMb: rss,
      rssBeforeMb: rssBefore,
      botCpuMsPerMessage,
      profileDir: profileDir ?? null,
      targets,
    });
    process.stdout.write(`Results written to ${path}\n`);
    printTargets(
      `Targets (${memberCount} members, TELEGRAM_SEND_RATE=${rate}, ${replicas} bot replicas)`,
      targets,
    );
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
      await bots?.stop();
      await platform?.stop();
      await fake?.close();
    } catch (error) {
      process.exitCode = 1;
      process.stderr.write(`bench:notify cleanup failed: ${String(error)}\n`);
    }
  });
