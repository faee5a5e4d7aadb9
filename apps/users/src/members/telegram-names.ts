import { MemberEntity } from './member.entity';

/** Shown when Telegram gives neither names nor username; never derived from private data. */
export const DEFAULT_FULL_NAME = 'UP Club member';
const FULL_NAME_COLUMN_LENGTH = 160;

/** The display name a Telegram account suggests: "First Last", else the username. */
export function fullNameFromTelegram(names: {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
}): string {
  const joined = [names.firstName, names.lastName]
    .map((part) => part?.trim())
    .filter((part): part is string => !!part)
    .join(' ');
  return (joined || names.username?.trim() || DEFAULT_FULL_NAME).slice(0, FULL_NAME_COLUMN_LENGTH);
}

/**
 * True while the member's full_name is still the one their Telegram names gave: then a Telegram
 * refresh may update it; once the member chose a name of their own (PATCH), Telegram leaves it.
 */
export function fullNameFollowsTelegram(member: MemberEntity): boolean {
  return (
    member.fullName ===
    fullNameFromTelegram({
      firstName: member.firstName,
      lastName: member.lastName,
      username: member.username,
    })
  );
}
