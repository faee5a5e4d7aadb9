import type { RecordedCall } from './call-log';

/** One message the bot tried to send, as the fake saw it. */
export interface SendRecord {
  chatId: number;
  /** When the fake received it (ms since the epoch). */
  at: number;
  /** False when the fake refused it (an injected fault or a bad request). */
  accepted: boolean;
  error?: string;
}

const SEND_METHODS = new Set(['sendMessage', 'sendPhoto']);

/** The send attempts among `calls`, oldest first. */
export function sendsOf(calls: readonly RecordedCall[]): SendRecord[] {
  return calls
    .filter((call) => SEND_METHODS.has(call.method))
    .map((call) => ({
      chatId: Number(call.params.chat_id),
      at: call.at.getTime(),
      accepted: call.error === undefined,
      ...(call.error !== undefined ? { error: call.error } : {}),
    }));
}

/** The most sends within any window of `windowMs` (sliding, every start point). */
export function maxInAnyWindow(sends: readonly SendRecord[], windowMs = 1000): number {
  const times = sends.map((s) => s.at).sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while (times[end] - times[start] >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** The shortest time between two sends to one chat (Infinity when no chat got two). */
export function minGapPerChat(sends: readonly SendRecord[]): number {
  const last = new Map<number, number>();
  let min = Infinity;
  for (const send of [...sends].sort((a, b) => a.at - b.at)) {
    const previous = last.get(send.chatId);
    if (previous !== undefined) min = Math.min(min, send.at - previous);
    last.set(send.chatId, send.at);
  }
  return min;
}
