import {
  maxInAnyWindow,
  minGapPerChat,
  RecordedCall,
  SendRecord,
  sendsOf,
  TelegramTestUser,
} from '@up/testing';
import { textOf } from './commands';

/** How the broadcast's messages reached the fake Bot API. */
export interface BroadcastSends {
  members: number;
  /** Send attempts of broadcast messages (accepted or refused). */
  attempts: number;
  accepted: number;
  refused: number;
  /** Members who got the message more than once: the extra copies. */
  duplicates: number;
  /** Members who never got it. */
  missed: number;
  /** Arrival of the first and the last accepted broadcast message (ms since the epoch). */
  firstAt: number;
  lastAt: number;
  /** Accepted broadcast messages per second, first to last. */
  perSecond: number;
  /**
   * Messages per second between the 10th and the 90th percentile message (informational: the
   * sustained rate, without the start-up and the last stragglers).
   */
  middlePerSecond: number;
  /** The most broadcast messages within any 1-second window (sliding). */
  maxInAnySecond: number;
  /** The same over every send, command answers included (they bypass the queue). */
  maxInAnySecondAllSends: number;
  /** The shortest time between two broadcast messages to one chat (Infinity: none got two). */
  minChatGapMs: number;
  /** Accepted broadcast messages in each second from the first one. */
  perSecondTimeline: number[];
}

/** Counts the broadcast messages (`isBroadcast` by their text) among the fake's calls. */
export function broadcastSends(
  calls: readonly RecordedCall[],
  members: readonly TelegramTestUser[],
  isBroadcast: (text: string) => boolean,
): BroadcastSends {
  const ofBroadcast = calls.filter(
    (call) => call.method === 'sendMessage' && isBroadcast(textOf(call)),
  );
  const records: SendRecord[] = sendsOf(ofBroadcast);
  const accepted = records.filter((record) => record.accepted);
  const perChat = new Map<number, number>();
  for (const record of accepted) perChat.set(record.chatId, (perChat.get(record.chatId) ?? 0) + 1);
  let duplicates = 0;
  for (const count of perChat.values()) duplicates += Math.max(0, count - 1);
  const missed = members.filter((member) => !perChat.has(member.id)).length;
  let firstAt = Infinity;
  let lastAt = -Infinity;
  for (const record of accepted) {
    firstAt = Math.min(firstAt, record.at);
    lastAt = Math.max(lastAt, record.at);
  }
  const spanSeconds = (lastAt - firstAt) / 1000;
  return {
    members: members.length,
    attempts: records.length,
    accepted: accepted.length,
    refused: records.length - accepted.length,
    duplicates,
    missed,
    firstAt,
    lastAt,
    // n messages at a steady rate r span (n - 1) / r seconds.
    perSecond: accepted.length > 1 && spanSeconds > 0 ? (accepted.length - 1) / spanSeconds : NaN,
    middlePerSecond: middleRate(accepted.map((record) => record.at)),
    maxInAnySecond: maxInAnyWindow(accepted, 1000),
    maxInAnySecondAllSends: maxInAnyWindow(
      sendsOf(calls).filter((record) => record.accepted),
      1000,
    ),
    minChatGapMs: minGapPerChat(accepted),
    perSecondTimeline: timeline(accepted, firstAt),
  };
}

function middleRate(times: number[]): number {
  if (times.length < 10) return NaN;
  const sorted = [...times].sort((a, b) => a - b);
  const from = Math.floor(sorted.length * 0.1);
  const to = Math.floor(sorted.length * 0.9);
  const seconds = (sorted[to] - sorted[from]) / 1000;
  return seconds > 0 ? (to - from) / seconds : NaN;
}

function timeline(records: readonly SendRecord[], from: number): number[] {
  const seconds: number[] = [];
  for (const record of records) {
    const second = Math.floor((record.at - from) / 1000);
    while (seconds.length <= second) seconds.push(0);
    seconds[second] += 1;
  }
  return seconds;
}

/** How many broadcast messages the fake has accepted so far (for progress and the end). */
export class BroadcastProgress {
  private scanned = 0;
  private readonly chats = new Set<number>();

  constructor(private readonly isBroadcast: (text: string) => boolean) {}

  /** Reads the calls recorded since the last look; answers how many members have the message. */
  update(calls: readonly RecordedCall[]): number {
    for (; this.scanned < calls.length; this.scanned += 1) {
      const call = calls[this.scanned];
      if (call.method !== 'sendMessage' || call.error !== undefined) continue;
      if (this.isBroadcast(textOf(call))) this.chats.add(Number(call.params.chat_id));
    }
    return this.chats.size;
  }
}
