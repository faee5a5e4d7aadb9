import { pool, telegramWidgetData } from '../lib';

/** A gateway answer: its status and parsed JSON body (undefined when empty). */
export interface Answer<T> {
  status: number;
  json: T;
}

export async function call<T>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
}

/** A network failure as an answer with status 0, so one refused connection does not end a burst. */
export function callOrFail<T>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer<T | { code: string }>> {
  return call<T>(method, url, options).catch((error: unknown) => ({
    status: 0,
    json: { code: String(error) },
  }));
}

export async function expectOk<T>(what: string, answer: Promise<Answer<T>>): Promise<T> {
  const { status, json } = await answer;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A set-up step (not a measured one), asked again up to three times when a loaded machine times a
 * service call out (503); any other failure fails at once.
 */
async function setupStep<T>(what: string, ask: () => Promise<Answer<T>>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = await ask();
    if (answer.status !== 503 || attempt === 4) return expectOk(what, Promise.resolve(answer));
  }
}

export interface Member {
  id: string;
  token: string;
}

export async function signIn(
  gateway: string,
  botToken: string,
  telegramId: number,
): Promise<Member> {
  const signedIn = await setupStep<{ access_token: string; user: { id: string } }>('sign-in', () =>
    call('POST', `${gateway}/api/auth/telegram`, {
      body: telegramWidgetData(botToken, telegramId),
    }),
  );
  return { id: signedIn.user.id, token: signedIn.access_token };
}

/**
 * `count` new members (Telegram ids from `firstTelegramId`), each granted `coins` by an admin
 * adjustment; 16 at a time.
 */
export function membersWithCoins(args: {
  gateway: string;
  botToken: string;
  admin: Member;
  firstTelegramId: number;
  count: number;
  coins: number;
}): Promise<Member[]> {
  const { gateway, botToken, admin, firstTelegramId, count, coins } = args;
  return pool(
    Array.from({ length: count }, (_, i) => firstTelegramId + i),
    16,
    async (telegramId) => {
      const member = await signIn(gateway, botToken, telegramId);
      // Its own key, so that a grant asked again after a timeout is applied once.
      await setupStep('grant coins', () =>
        call('PATCH', `${gateway}/api/admin/users/${member.id}`, {
          token: admin.token,
          body: { coins_delta: coins, reason: 'bench:events' },
          headers: { 'idempotency-key': `bench-grant:${member.id}` },
        }),
      );
      return member;
    },
  );
}

/** Counts of each value (HTTP statuses, error codes). */
export function tally(values: Iterable<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
