import type { NotificationSettings } from '@up/contracts';
import { Markup } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { messagesFor } from '../i18n/i18n';
import { encodeSettingsCallback } from './settings.callback-data';

/** /settings: the member's settings in the language they chose, a button per setting. */
export function renderSettings(settings: NotificationSettings): {
  text: string;
  markup: Markup.Markup<InlineKeyboardMarkup>;
} {
  const t = messagesFor(settings.language);
  const other = settings.language === 'en' ? 'ru' : 'en';
  return {
    text: t.settings.text(settings),
    markup: Markup.inlineKeyboard([
      [
        Markup.button.callback(
          t.settings.buttons.announcements({ on: settings.announcements }),
          encodeSettingsCallback({ setting: 'announcements', on: !settings.announcements }),
        ),
      ],
      [
        Markup.button.callback(
          t.settings.buttons.reminders({ on: settings.reminders }),
          encodeSettingsCallback({ setting: 'reminders', on: !settings.reminders }),
        ),
      ],
      [
        Markup.button.callback(
          t.settings.buttons.language({ language: settings.language }),
          encodeSettingsCallback({ setting: 'language', language: other }),
        ),
      ],
    ]),
  };
}
