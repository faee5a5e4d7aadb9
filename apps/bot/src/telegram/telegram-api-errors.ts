import { Telegram, TelegramError } from 'telegraf';

/** Telegram refused the token (revoked, or a wrong one): retrying cannot help. */
export class TokenRefusedError extends Error {
  constructor(readonly method: string) {
    super(`Telegram refused TELEGRAM_BOT_TOKEN (401) on ${method}`);
    this.name = 'TokenRefusedError';
  }
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof TelegramError && error.code === 401;
}

export function isConflict(error: unknown): boolean {
  return error instanceof TelegramError && error.code === 409;
}

/** A client error retrying will not fix (a 400 on a decoration call is our bug, not Telegram's). */
export function isBadRequest(error: unknown): boolean {
  return error instanceof TelegramError && error.code === 400;
}

/** Telegram's flood control: the wait it asks for (429 `retry_after`), else 0. */
export function retryAfterMs(error: unknown): number {
  if (!(error instanceof TelegramError)) return 0;
  return (error.parameters?.retry_after ?? 0) * 1000;
}

/** What to put in a log line about a failed call: Telegram's description, or the error message. */
export function describeFailure(error: unknown): string {
  if (error instanceof TelegramError) return `${error.code} ${error.description}`;
  return error instanceof Error ? error.message : String(error);
}

type ApiOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

/**
 * Telegraf's callApi with a cancel signal. Telegraf types the signal as the abort-controller
 * package's class; Node's own AbortSignal is what node-fetch (its HTTP client) accepts at run time.
 */
export function callTelegram<M extends Parameters<Telegram['callApi']>[0]>(
  telegram: Telegram,
  method: M,
  payload: Parameters<typeof telegram.callApi<M>>[1],
  signal: AbortSignal,
): ReturnType<typeof telegram.callApi<M>> {
  return telegram.callApi(method, payload, { signal } as unknown as ApiOptions);
}
