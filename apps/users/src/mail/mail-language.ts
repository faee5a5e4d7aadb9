import type { MemberEntity } from '../members/member.entity';

export type MailLanguage = 'ru' | 'en';

/**
 * The language of a member's mail. The one place that decides it: the member's own `language`
 * setting when the members table has one, otherwise what Telegram reported (`language_code`),
 * English for `en*`, Russian (the club's language) for everything else and for no answer.
 */
export function mailLanguageOf(
  member: Pick<MemberEntity, 'languageCode'> & { language?: string | null },
): MailLanguage {
  if (member.language === 'en' || member.language === 'ru') return member.language;
  return member.languageCode?.toLowerCase().startsWith('en') ? 'en' : 'ru';
}
