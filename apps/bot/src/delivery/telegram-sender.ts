import { Telegram, TelegramError } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { ClaimedMessage } from './delivery-store';
import { countTelegramFailure } from '../telegram/telegram.metrics';

/** What one send attempt came to, as the queue acts on it. */
export type SendAttempt =
  | { kind: 'sent' }
  /** 403: the member blocked the bot or their account is gone. */
  | { kind: 'blocked'; reason: string }
  /** A refusal that no retry changes (400: chat not found, bad markup, ...). */
  | { kind: 'failed'; reason: string }
  /** 5xx, a dropped connection, a timeout: worth another try later. */
  | { kind: 'retry'; reason: string }
  /** 429: Telegram says when to come back. */
  | { kind: 'limited'; reason: string; retryAfterMs: number };

type CallApiSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/** Telegram's chat ids are integers within 52 bits: sent as numbers, as Telegraf's replies are. */
function chatIdOf(chatId: string): number | string {
  const n = Number(chatId);
  return Number.isSafeInteger(n) ? n : chatId;
}

/**
 * Sends one queued message with Telegraf's Bot API client (its own instance: the conversation's
 * Telegraf belongs to the update loop) and tells the queue what the answer means.
 */
export class TelegramSender {
  private readonly telegram: Telegram;
  private readonly timeoutMs: number;

  constructor(options: { token: string; apiRoot: string; timeoutMs: number }) {
    this.telegram = new Telegram(options.token, { apiRoot: options.apiRoot });
    this.timeoutMs = options.timeoutMs;
  }

  async send(message: ClaimedMessage): Promise<SendAttempt> {
    // A timer cleared with the answer (AbortSignal.timeout's would live, and fire, for the whole
    // timeout after every send).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      await this.telegram.callApi(
        'sendMessage',
        {
          chat_id: chatIdOf(message.chatId),
          text: message.text,
          ...(message.parseMode ? { parse_mode: message.parseMode } : {}),
          ...(message.replyMarkup !== undefined
            ? { reply_markup: message.replyMarkup as InlineKeyboardMarkup }
            : {}),
        },
        // Telegraf types the signal with the abort-controller shim; node-fetch takes the native one.
        { signal: abort.signal as unknown as CallApiSignal },
      );
      return { kind: 'sent' };
    } catch (error) {
      countTelegramFailure('delivery', error);
      return classify(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function classify(error: unknown): SendAttempt {
  if (!(error instanceof TelegramError)) {
    // No answer from Telegram: refused or dropped connection, timeout, a body that is not JSON.
    return { kind: 'retry', reason: `network: ${(error as Error)?.message ?? String(error)}` };
  }
  const reason = `${error.code}: ${error.description}`;
  if (error.code === 429) {
    const seconds = Number(error.parameters?.retry_after ?? 1);
    return { kind: 'limited', reason, retryAfterMs: Math.max(1, seconds) * 1000 };
  }
  if (error.code === 403) return { kind: 'blocked', reason };
  // 401/404 mean the token is wrong right now (all sends fail alike), not that this message is.
  if (error.code >= 500 || error.code === 401 || error.code === 404)
    return { kind: 'retry', reason };
  return { kind: 'failed', reason };
}
