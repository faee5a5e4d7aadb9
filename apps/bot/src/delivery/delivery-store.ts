import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@up/config';
import type { BroadcastView } from '@up/contracts';
import {
  BEGIN,
  CLAIM,
  ENQUEUE,
  FINISH,
  MARK_ANSWERED,
  RECOVER,
  START_BROADCAST,
} from './delivery.scripts';
import type { DeliveryOptions, OutgoingMessage, StartBroadcastInput } from './delivery.types';
import { RedisScript } from './redis-script';

/**
 * Telegram allows one message per second per chat; the extra 100 ms absorbs the jitter between
 * the moment a send is scheduled and the moment it reaches Telegram.
 */
export const CHAT_INTERVAL_MS = 1100;
/**
 * The schedule spreads `rate` send slots over this many ms. What keeps every second at Telegram
 * within the rate is the count in BEGIN (see delivery.scripts.ts), which holds a send back while
 * the rate's worth may still reach Telegram within a second of it; a send occupies that count from
 * its begin until a second after its answer. The 2% over a second lets sends answered within
 * ~20 ms flow without being held back, so the slots rarely wait on the count.
 */
const RATE_WINDOW_MS = 1020;
/** How far ahead a worker takes send slots (it then waits for each one locally). */
const HORIZON_MS = 200;
/** A claimed message whose worker has not begun sending it this long after its slot is requeued. */
export const CLAIM_LEASE_MS = 3000;
/**
 * A worker late for a slot by up to this much still sends (the count in BEGIN permitting): it uses
 * the room its missed slot left. Later than this (a stalled process) it takes a fresh slot
 * instead: a stalled worker does not make up what it missed in one burst (the sends of a burst
 * are all on the wire before the first 429 can pause the rest). Under CHAT_INTERVAL_MS -
 * HORIZON_MS, so that no later message to the same chat can have been claimed yet when a late
 * send moves the chat's next free time on.
 */
const LATE_MS = 50;
/** How long a final message's key is remembered: enqueueing the same key again is a no-op. */
const RETENTION_MS = 7 * 24 * 3600 * 1000;
const BROADCASTS_KEPT = 1000;
const BROADCAST_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** 429s for this many different chats within a second pause every send (see FINISH). */
const GLOBAL_429_CHATS = 3;
/** A message refused with 429 this many times is dead-lettered. */
const MAX_RATE_LIMITED = 20;
const ENQUEUE_CHUNK = 500;
const RECOVER_BATCH = 500;

export interface ClaimedMessage {
  key: string;
  /** When to send it, in Redis time (ms). */
  slot: number;
  chatId: string;
  kind: string;
  text: string;
  parseMode?: 'HTML';
  replyMarkup?: unknown;
  memberId?: string;
  broadcastId?: string;
  attempts: number;
}

export interface Claim {
  /** Redis time of the claim (ms): slots are relative to it. */
  now: number;
  /** Nothing claimed: how long until something may be (ms). */
  waitMs: number;
  messages: ClaimedMessage[];
}

export type BeginResult =
  | { kind: 'go' }
  | { kind: 'lost' }
  | { kind: 'requeued'; ms: number }
  | { kind: 'wait'; ms: number };

export type FinishOutcome =
  | { kind: 'sent' }
  | { kind: 'blocked'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'retry'; reason: string; delayMs: number }
  | { kind: 'limited'; reason: string; retryAfterMs: number };

export type FinishResult = 'sent' | 'blocked' | 'failed' | 'retry' | 'limited' | 'paused' | 'lost';

export interface RecoveredMessage {
  key: string;
  outcome: 'requeued' | 'uncertain';
  kind: string;
  chatId: string;
}

export interface DeadLetter {
  id: string;
  key: string;
  chatId: string;
  kind: string;
  memberId: string | null;
  /** `failed`: given up; `uncertain`: its worker died during the send. */
  outcome: 'failed' | 'uncertain';
  reason: string;
}

const SCRIPTS = {
  enqueue: new RedisScript(ENQUEUE),
  claim: new RedisScript(CLAIM),
  begin: new RedisScript(BEGIN),
  finish: new RedisScript(FINISH),
  recover: new RedisScript(RECOVER),
  startBroadcast: new RedisScript(START_BROADCAST),
  markAnswered: new RedisScript(MARK_ANSWERED),
};

const str = (value: unknown): string =>
  typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
const num = (value: unknown): number => Number(value ?? 0) || 0;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const iso = (ms: string | undefined): string | null =>
  ms ? new Date(Number(ms)).toISOString() : null;

/**
 * The delivery queue's state in Redis, shared by every bot replica: each method is one atomic
 * script (delivery.scripts.ts explains the keys). Nothing here talks to Telegram.
 */
export class DeliveryStore {
  /** `<prefix>:{bot-delivery}:`: one hash tag, so every key is in one Redis Cluster slot. */
  readonly base: string;
  private readonly spacingMs: number;
  private readonly sendLeaseMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: DeliveryOptions,
  ) {
    this.base = `${options.prefix}:{bot-delivery}:`;
    this.spacingMs = RATE_WINDOW_MS / options.rate;
    // The HTTP call is abandoned after sendTimeoutMs; the lease outlives it.
    this.sendLeaseMs = options.sendTimeoutMs + 2000;
  }

  async enqueue(messages: OutgoingMessage[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < messages.length; i += ENQUEUE_CHUNK) {
      const chunk = messages.slice(i, i + ENQUEUE_CHUNK).map((m) => ({
        key: m.key,
        chatId: m.chatId,
        kind: m.kind,
        text: m.text,
        ...(m.parseMode ? { parseMode: m.parseMode } : {}),
        ...(m.replyMarkup !== undefined ? { markup: JSON.stringify(m.replyMarkup) } : {}),
        ...(m.memberId ? { memberId: m.memberId } : {}),
        ...(m.broadcastId ? { broadcastId: m.broadcastId } : {}),
        ...(m.priority ? { priority: true } : {}),
      }));
      added += num(
        await SCRIPTS.enqueue.run(this.redis, this.base, [this.base, JSON.stringify(chunk)]),
      );
    }
    return added;
  }

  async claim(max: number): Promise<Claim> {
    const reply = list(
      await SCRIPTS.claim.run(this.redis, this.base, [
        this.base,
        this.options.workerName,
        this.spacingMs,
        CHAT_INTERVAL_MS,
        HORIZON_MS,
        CLAIM_LEASE_MS,
        max,
      ]),
    );
    const messages = reply.slice(2).map((entry): ClaimedMessage => {
      const [key, slot, chat, kind, text, parse, markup, member, bc, attempts] = list(entry);
      return {
        key: str(key),
        slot: num(slot),
        chatId: str(chat),
        kind: str(kind),
        text: str(text),
        ...(str(parse) === 'HTML' ? { parseMode: 'HTML' as const } : {}),
        ...(str(markup) ? { replyMarkup: JSON.parse(str(markup)) as unknown } : {}),
        ...(str(member) ? { memberId: str(member) } : {}),
        ...(str(bc) ? { broadcastId: str(bc) } : {}),
        attempts: num(attempts),
      };
    });
    return { now: num(reply[0]), waitMs: num(reply[1]), messages };
  }

  /** Begins the sends of claimed messages (one script for all): what each may do now, in order. */
  async begin(keys: string[]): Promise<BeginResult[]> {
    if (keys.length === 0) return [];
    const reply = list(
      await SCRIPTS.begin.run(this.redis, this.base, [
        this.base,
        this.options.workerName,
        this.sendLeaseMs,
        LATE_MS,
        this.spacingMs,
        CHAT_INTERVAL_MS,
        CLAIM_LEASE_MS,
        this.options.rate,
        ...keys,
      ]),
    );
    return keys.map((_, i): BeginResult => {
      const [kind, ms] = list(reply[i]);
      switch (str(kind)) {
        case 'go':
          return { kind: 'go' };
        case 'requeued':
          return { kind: 'requeued', ms: num(ms) };
        case 'wait':
          return { kind: 'wait', ms: num(ms) };
        default:
          return { kind: 'lost' };
      }
    });
  }

  /** `answeredAt`: when (Date.now()) Telegram's answer to the send arrived. */
  async finish(
    key: string,
    outcome: FinishOutcome,
    answeredAt = Date.now(),
  ): Promise<FinishResult> {
    const reason = outcome.kind === 'sent' ? '' : outcome.reason;
    const extra =
      outcome.kind === 'retry'
        ? [outcome.delayMs, this.options.maxAttempts]
        : outcome.kind === 'limited'
          ? [outcome.retryAfterMs, MAX_RATE_LIMITED, GLOBAL_429_CHATS]
          : [];
    const [result] = list(
      await SCRIPTS.finish.run(this.redis, this.base, [
        this.base,
        key,
        this.options.workerName,
        outcome.kind,
        RETENTION_MS,
        reason,
        Math.max(0, Date.now() - answeredAt),
        ...extra,
      ]),
    );
    return str(result) as FinishResult;
  }

  async recover(): Promise<RecoveredMessage[]> {
    const reply = list(
      await SCRIPTS.recover.run(this.redis, this.base, [this.base, RETENTION_MS, RECOVER_BATCH]),
    );
    return reply.map((entry) => {
      const [key, outcome, kind, chat] = list(entry);
      return {
        key: str(key),
        outcome: str(outcome) as RecoveredMessage['outcome'],
        kind: str(kind),
        chatId: str(chat),
      };
    });
  }

  async markAnswered(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return num(
      await SCRIPTS.markAnswered.run(this.redis, this.base, [this.base, RETENTION_MS, ...keys]),
    );
  }

  async startBroadcast(input: StartBroadcastInput): Promise<string> {
    const id = input.id ?? randomUUID();
    await SCRIPTS.startBroadcast.run(this.redis, this.base, [
      this.base,
      id,
      input.kind,
      input.eventId ?? '',
      input.title ?? '',
      Math.max(0, Math.floor(input.total)),
      BROADCASTS_KEPT,
      BROADCAST_RETENTION_MS,
    ]);
    return id;
  }

  async listBroadcasts(limit: number): Promise<BroadcastView[]> {
    const ids = await this.redis.zrevrange(`${this.base}bcs`, 0, limit - 1);
    const rows = await Promise.all(ids.map((id) => this.redis.hgetall(`${this.base}bc:${id}`)));
    return ids.flatMap((id, i): BroadcastView[] => {
      const h = rows[i];
      if (!h.kind) return []; // expired
      return [
        {
          id,
          kind: h.kind,
          event_id: h.event_id || null,
          title: h.title || null,
          created_at: iso(h.created) ?? new Date(0).toISOString(),
          total: num(h.total),
          queued: num(h.queued),
          sent: num(h.sent),
          failed: num(h.failed),
          blocked: num(h.blocked),
          finished_at: iso(h.finished_at),
        },
      ];
    });
  }

  /** The most recent dead letters (and uncertain sends), newest first. */
  async deadLetters(count: number): Promise<DeadLetter[]> {
    const entries = await this.redis.xrevrange(`${this.base}dead`, '+', '-', 'COUNT', count);
    return entries.map(([id, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      return {
        id,
        key: f.key ?? '',
        chatId: f.chat ?? '',
        kind: f.kind ?? '',
        memberId: f.member || null,
        outcome: f.outcome === 'uncertain' ? 'uncertain' : 'failed',
        reason: f.reason ?? '',
      };
    });
  }

  /** Where a message stands (`queued`, `sent`, ...), or null when unknown or forgotten. */
  async stateOf(key: string): Promise<string | null> {
    return this.redis.hget(`${this.base}msg:${key}`, 'state');
  }
}
