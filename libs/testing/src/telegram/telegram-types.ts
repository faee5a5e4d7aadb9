/**
 * The slice of the Telegram Bot API object model the fake server speaks. Field names are the Bot
 * API's own (snake_case), so what the fake records is what Telegram would have received.
 */

/** A simulated Telegram user (the person talking to the bot). */
export interface TelegramTestUser {
  id: number;
  is_bot: false;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TelegramBotUser {
  id: number;
  is_bot: true;
  first_name: string;
  username: string;
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
}

export interface TelegramPrivateChat {
  id: number;
  type: 'private';
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A group the bot was added to (Telegram gives groups negative ids). */
export interface TelegramGroupChat {
  id: number;
  type: 'group' | 'supergroup';
  title: string;
}

export type TelegramChat = TelegramPrivateChat | TelegramGroupChat;

export interface InlineKeyboardButton {
  text: string;
  url?: string;
  callback_data?: string;
  login_url?: { url: string };
  web_app?: { url: string };
}

export interface ReplyMarkup {
  inline_keyboard?: InlineKeyboardButton[][];
  [other: string]: unknown;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

/** A message in the fake's memory: sent by a simulated user or by the bot. */
export interface TelegramMessage {
  message_id: number;
  date: number;
  chat: TelegramChat;
  from: TelegramTestUser | TelegramBotUser;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  photo?: PhotoSize[];
  reply_markup?: ReplyMarkup;
  edit_date?: number;
}

export interface TelegramCallbackQuery {
  id: string;
  from: TelegramTestUser;
  message: TelegramMessage;
  chat_instance: string;
  data: string;
}

export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  callback_query?: TelegramCallbackQuery;
}

export interface BotCommand {
  command: string;
  description: string;
}
