import { Markup } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Messages } from '../i18n/i18n';

/**
 * Telegram refuses URL buttons to hosts that are not public domain names ("Wrong HTTP URL"), which
 * is what WEB_APP_URL is on a developer machine (http://localhost:5173).
 */
export function isButtonUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return (
    hostname.includes('.') && !/^(127\.|0\.0\.0\.0$|\[)/.test(hostname) && hostname !== 'localhost'
  );
}

/** The `/login` answer: a button that opens the link, or the link itself where a button cannot. */
export function renderLoginReply(params: { url: string; minutes: number; t: Messages }): {
  text: string;
  markup?: Markup.Markup<InlineKeyboardMarkup>;
} {
  const { url, minutes, t } = params;
  const text = t.login.text({ minutes });
  if (isButtonUrl(url)) {
    return { text, markup: Markup.inlineKeyboard([Markup.button.url(t.login.button, url)]) };
  }
  return { text: `${text}\n\n${url}` };
}
