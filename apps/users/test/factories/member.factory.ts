import { randomBytes, randomInt } from 'node:crypto';
import type { CoinChangeDto, RegisterMemberDto, UpsertTelegramMemberDto } from '@up/contracts';

let sequence = 0;

/** Unique within a test run, so factories never collide on unique columns. */
export function uniqueToken(): string {
  sequence += 1;
  return `${sequence.toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A Telegram user id, as large as real ones get (10 digits). */
export function telegramId(): number {
  return randomInt(1_000_000_000, 9_999_999_999);
}

export function registerMemberDto(overrides: Partial<RegisterMemberDto> = {}): RegisterMemberDto {
  const token = uniqueToken();
  return {
    email: `member.${token}@example.org`,
    password: `correct horse ${token}`,
    full_name: `Member ${token}`,
    ...overrides,
  };
}

export function telegramUserDto(
  overrides: Partial<UpsertTelegramMemberDto> = {},
): UpsertTelegramMemberDto {
  const token = uniqueToken();
  return {
    telegram_id: telegramId(),
    username: `tg_${token}`,
    first_name: 'Ivan',
    last_name: `Petrov${token}`,
    language_code: 'ru',
    ...overrides,
  };
}

export function coinChangeDto(
  memberId: string,
  overrides: Partial<CoinChangeDto> = {},
): CoinChangeDto {
  return {
    member_id: memberId,
    amount: 10,
    idempotency_key: `test:${uniqueToken()}`,
    reason: 'Test change',
    ...overrides,
  };
}
