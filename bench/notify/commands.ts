import type { FakeTelegramBotApi, RecordedCall, TelegramTestUser } from '@up/testing';
import { LatencyRecorder, LatencySummary } from '../lib';

/** One command a simulated member sent: who, when, and the call log's position at that moment. */
export interface CommandSample {
  user: TelegramTestUser;
  /** `fake.mark()` just before the command: its answer is a later call. */
  mark: number;
  /** When the fake had the update ready for the bot (ms since the epoch, the fake's clock). */
  sentAt: number;
}

export interface CommandDelays {
  sent: number;
  /** Answered with what the command shows (delays are of these). */
  answered: number;
  /** Answered with something else (e.g. "the service is unavailable"). */
  wrong: number;
  unanswered: number;
  latency: LatencySummary;
}

/**
 * Members writing a command to the bot at a steady pace (open loop): one command every
 * `intervalMs` in all, from the members in turn, whether or not earlier ones have been answered.
 * A late timer sends the commands it owes at once, so a busy event loop in this process does not
 * quietly lower the offered load.
 */
export class CommandLoad {
  private readonly samples: CommandSample[] = [];
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private next = 0;

  constructor(
    private readonly fake: FakeTelegramBotApi,
    private readonly users: readonly TelegramTestUser[],
    private readonly text: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.sendDue();
    this.timer = setInterval(() => this.sendDue(), Math.max(1, Math.floor(this.intervalMs / 2)));
  }

  /** Stops sending; answers the commands sent so far. */
  stop(): CommandSample[] {
    clearInterval(this.timer);
    return [...this.samples];
  }

  private sendDue(): void {
    const due = Math.floor((Date.now() - this.startedAt) / this.intervalMs) + 1;
    while (this.next < due) {
      const user = this.users[this.next % this.users.length];
      this.next += 1;
      const mark = this.fake.mark();
      const sentAt = Date.now();
      this.fake.sendText(user, this.text);
      this.samples.push({ user, mark, sentAt });
    }
  }
}

/**
 * Matches each command with the bot's answer in the call log: the first successful sendMessage to
 * that chat after the command that is not a broadcast message (`isBroadcast`) and not already the
 * answer to an earlier command. The delay is from the command's update to that call's arrival.
 */
export function commandDelays(
  calls: readonly RecordedCall[],
  samples: readonly CommandSample[],
  isBroadcast: (text: string) => boolean,
  isRightAnswer: (text: string) => boolean,
): CommandDelays {
  const chats = new Set(samples.map((s) => s.user.id));
  const answers = new Map<number, RecordedCall[]>();
  for (const call of calls) {
    if (call.method !== 'sendMessage' || call.error !== undefined) continue;
    const chatId = Number(call.params.chat_id);
    if (!chats.has(chatId) || isBroadcast(textOf(call))) continue;
    const list = answers.get(chatId) ?? [];
    list.push(call);
    answers.set(chatId, list);
  }
  const used = new Map<number, number>();
  const recorder = new LatencyRecorder();
  let wrong = 0;
  let unanswered = 0;
  for (const sample of [...samples].sort((a, b) => a.mark - b.mark)) {
    const chatId = sample.user.id;
    const list = answers.get(chatId) ?? [];
    let index = used.get(chatId) ?? 0;
    while (index < list.length && list[index].seq <= sample.mark) index += 1;
    const answer = list[index];
    if (!answer) {
      unanswered += 1;
      continue;
    }
    used.set(chatId, index + 1);
    if (isRightAnswer(textOf(answer))) recorder.record(answer.at.getTime() - sample.sentAt);
    else wrong += 1;
  }
  return {
    sent: samples.length,
    answered: recorder.count,
    wrong,
    unanswered,
    latency: recorder.summary(),
  };
}

/** Waits (polling the call log) until every command has an answer, or `timeoutMs` has passed. */
export async function waitForAnswers(
  fake: FakeTelegramBotApi,
  samples: readonly CommandSample[],
  isBroadcast: (text: string) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { unanswered } = commandDelays(fake.calls, samples, isBroadcast, () => true);
    if (unanswered === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function textOf(call: RecordedCall): string {
  return typeof call.params.text === 'string' ? call.params.text : '';
}
