import { randomInt } from 'node:crypto';
import type { TelegramTestUser } from './telegram-types';

let sequence = 0;

/**
 * A simulated Telegram user with a fresh id (random base, so two test files sharing a database or
 * a Redis space never meet the same user) and names derived from it.
 */
export function telegramUser(
  overrides: Partial<Omit<TelegramTestUser, 'is_bot'>> = {},
): TelegramTestUser {
  sequence += 1;
  const id = overrides.id ?? randomInt(100_000_000, 900_000_000) * 10 + (sequence % 10);
  return {
    id,
    is_bot: false,
    first_name: `Member${sequence}`,
    last_name: 'Tester',
    username: `member_${id}`,
    language_code: 'ru',
    ...overrides,
  };
}
