import type { Language, Messages } from './messages';
import { en } from './messages.en';
import { ru } from './messages.ru';

export type { Feature, Language, Messages } from './messages';

export const LANGUAGES: readonly Language[] = ['ru', 'en'];

/** Russian unless the member's Telegram is set to English. */
export const DEFAULT_LANGUAGE: Language = 'ru';

export const CATALOGUES: Record<Language, Messages> = { ru, en };

/** The language to answer in, from Telegram's `language_code` (an IETF tag such as `en-US`). */
export function languageOf(languageCode: string | undefined): Language {
  const primary = languageCode?.toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary ?? '')
    ? (primary as Language)
    : DEFAULT_LANGUAGE;
}

export function messagesFor(language: Language): Messages {
  return CATALOGUES[language];
}

/** BCP 47 locale for dates and numbers in a language. */
export function localeOf(language: Language): string {
  return language === 'en' ? 'en-GB' : 'ru-RU';
}

/** Escapes text for Telegram's HTML parse mode: anything a member or organizer typed goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
