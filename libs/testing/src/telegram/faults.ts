import { asNumber } from './bot-api-methods';

/** What the fake answers instead of doing the call. */
export type FaultAnswer =
  /** 429 Too Many Requests with `parameters.retry_after` (seconds). */
  | { status: 429; retryAfter: number }
  /** 403 Forbidden: "bot was blocked by the user" unless `description` says otherwise. */
  | { status: 403; description?: string }
  /** A server error (500, 502, ...); the call is not carried out. */
  | { status: 500 | 502 | 503 | 504 }
  /** The connection is destroyed without an answer; the call is not carried out. */
  | { status: 'drop' }
  /** Any refusal as Telegram words it: `error_code` (also the HTTP status) and `description`. */
  | {
      status: 'error';
      errorCode: number;
      description: string;
      parameters?: ResponseParameters;
    };

/** Telegram's `parameters` on a refusal. */
export interface ResponseParameters {
  /** Seconds to wait before the next call (a 429). */
  retry_after?: number;
  /** The supergroup a group became (a 400 on the old chat id). */
  migrate_to_chat_id?: number;
}

/** Telegram's envelope for a refused call. */
export interface TelegramErrorBody {
  ok: false;
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

export interface FaultRule {
  answer: FaultAnswer;
  /** Only these methods (default: every method but getUpdates, which is refused only if named). */
  methods?: string[];
  /** Only calls to these chats (`chat_id`). */
  chats?: number[];
  /** Only the next `times` matching calls (default: every one while the rule lasts). */
  times?: number;
  /** Only for this long from now (ms). */
  forMs?: number;
}

interface ActiveRule extends FaultRule {
  left: number;
  until: number;
}

/** A fault added with `fake.fail(...)`: remove it early, or see how often it struck. */
export interface FaultHandle {
  readonly hits: number;
  remove(): void;
}

/** The faults the fake was told to inject, matched against each call in the order added. */
export class Faults {
  private readonly rules: (ActiveRule & { hits: number })[] = [];

  add(rule: FaultRule): FaultHandle {
    const active = {
      ...rule,
      left: rule.times ?? Infinity,
      until: rule.forMs === undefined ? Infinity : Date.now() + rule.forMs,
      hits: 0,
    };
    this.rules.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        const at = this.rules.indexOf(active);
        if (at >= 0) this.rules.splice(at, 1);
      },
    };
  }

  /** The answer for this call, if a rule strikes (and counts it); undefined to carry it out. */
  match(method: string, params: Record<string, unknown>): FaultAnswer | undefined {
    const now = Date.now();
    const chat = asNumber(params.chat_id, NaN);
    for (const rule of this.rules) {
      if (rule.left <= 0 || now > rule.until) continue;
      if (rule.methods ? !rule.methods.includes(method) : method === 'getUpdates') continue;
      if (rule.chats && !rule.chats.includes(chat)) continue;
      rule.left -= 1;
      rule.hits += 1;
      return rule.answer;
    }
    return undefined;
  }

  clear(): void {
    this.rules.length = 0;
  }
}

/** Telegram's envelope for a fault that answers. */
export function faultBody(answer: Exclude<FaultAnswer, { status: 'drop' }>): TelegramErrorBody {
  switch (answer.status) {
    case 'error':
      return {
        ok: false,
        error_code: answer.errorCode,
        description: answer.description,
        ...(answer.parameters ? { parameters: answer.parameters } : {}),
      };
    case 429:
      return {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${answer.retryAfter}`,
        parameters: { retry_after: answer.retryAfter },
      };
    case 403:
      return {
        ok: false,
        error_code: 403,
        description: answer.description ?? 'Forbidden: bot was blocked by the user',
      };
    default:
      return { ok: false, error_code: answer.status, description: 'Internal Server Error' };
  }
}
