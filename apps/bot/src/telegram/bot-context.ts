import type { Context } from 'telegraf';
import type { Language, Messages } from '../i18n/i18n';

/** Telegraf's context plus the member's language and its message catalogue, set for every update. */
export interface BotContext extends Context {
  lang: Language;
  t: Messages;
}
