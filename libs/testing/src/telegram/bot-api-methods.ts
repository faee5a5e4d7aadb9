import { randomBytes } from 'node:crypto';
import { FormattedTextError, plainTextOf } from './formatted-text';
import { RecordedFile } from './request-params';
import type {
  BotCommand,
  InlineKeyboardButton,
  PhotoSize,
  ReplyMarkup,
  TelegramBotUser,
  TelegramCallbackQuery,
  TelegramChat,
  TelegramMessage,
  TelegramTestUser,
} from './telegram-types';

/** The webhook a bot registered: where the fake posts updates, and the secret it sends along. */
export interface WebhookInfo {
  url: string;
  secretToken?: string;
}

/** A refusal answered as Telegram's `{ok: false, error_code, description}`. */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(description);
  }
}

function badRequest(description: string): TelegramApiError {
  return new TelegramApiError(400, `Bad Request: ${description}`);
}

const KNOWN_METHODS = [
  'getMe',
  'getUpdates',
  'sendMessage',
  'sendPhoto',
  'editMessageText',
  'editMessageReplyMarkup',
  'answerCallbackQuery',
  'deleteWebhook',
  'setWebhook',
  'getWebhookInfo',
  'setMyCommands',
  'getMyCommands',
  'deleteMyCommands',
];

/** Telegram's method names are case-insensitive; calls are recorded under the documented name. */
export function canonicalMethod(raw: string): string {
  return KNOWN_METHODS.find((name) => name.toLowerCase() === raw.toLowerCase()) ?? raw;
}

const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

export function asNumber(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Telegram accepts http(s) and tg: links in URL buttons, but not to a host without a public domain
 * name: `http://localhost:5173` is refused with "Wrong HTTP URL".
 */
function isAcceptedButtonUrl(url: string): boolean {
  if (/^tg:\/\/\S+$/.test(url)) return true;
  if (!/^https?:\/\/\S+$/.test(url)) return false;
  const { hostname } = new URL(url);
  return hostname !== 'localhost' && hostname.includes('.');
}

/** Width and height from a PNG's IHDR chunk (bytes 16..24), as Telegram reports photo sizes. */
function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const signature = '89504e470d0a1a0a';
  if (data.length < 24 || data.subarray(0, 8).toString('hex') !== signature) return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/**
 * The Bot API methods a bot calls (every one but getUpdates) and the chats they act on:
 * sendMessage / sendPhoto / editMessageText / editMessageReplyMarkup keep each chat's history and
 * check what Telegram checks that bots get wrong (empty or too long text, HTML that does not
 * parse, callback data over 64 bytes, editing to the same content). Any other method answers
 * `true`. Simulated users write into the same chats.
 */
export class BotApiMethods {
  private readonly chats = new Map<number, Map<number, TelegramMessage>>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly callbackQueries = new Map<string, TelegramCallbackQuery>();
  private readonly commands = new Map<string, BotCommand[]>();
  /** The webhook set with setWebhook; while set, getUpdates answers 409 like Telegram. */
  webhook: WebhookInfo | undefined;
  /** Private chats of users who wrote to the bot before the test began (no messages kept). */
  private readonly openedChats = new Map<number, TelegramChat>();

  constructor(private readonly bot: TelegramBotUser) {}

  /** The result of a call, or a TelegramApiError with Telegram's answer to a bad one. */
  call(method: string, params: Record<string, unknown>, files: RecordedFile[]): unknown {
    switch (method) {
      case 'getMe':
        return this.bot;
      case 'sendMessage':
        return this.sendMessage(params);
      case 'sendPhoto':
        return this.sendPhoto(params, files);
      case 'editMessageText':
        return this.editMessage(params, 'text');
      case 'editMessageReplyMarkup':
        return this.editMessage(params, 'reply_markup');
      case 'answerCallbackQuery':
        return this.answerCallbackQuery(params);
      case 'setMyCommands':
        return this.setMyCommands(params);
      case 'getMyCommands':
        return this.commands.get(this.commandsKey(params.scope, params.language_code)) ?? [];
      case 'deleteMyCommands':
        this.commands.delete(this.commandsKey(params.scope, params.language_code));
        return true;
      case 'setWebhook':
        return this.setWebhook(params);
      case 'deleteWebhook':
        this.webhook = undefined;
        return true;
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', pending_update_count: 0 };
      default:
        return true;
    }
  }

  // ---- chat state, shared with the simulated users --------------------------------------------

  /** The chat with a user as it stands: their messages and the bot's, oldest first, edits applied. */
  messagesIn(chatId: number): TelegramMessage[] {
    return [...(this.chats.get(chatId)?.values() ?? [])].map((m) => structuredClone(m));
  }

  /** A message as it stands now (after edits), not a copy. */
  message(chatId: number, messageId: number): TelegramMessage | undefined {
    return this.chats.get(chatId)?.get(messageId);
  }

  /** The bot's command list as set with setMyCommands (default scope, no language unless given). */
  commandsFor(languageCode = ''): BotCommand[] {
    return this.commands.get(this.commandsKey(undefined, languageCode)) ?? [];
  }

  /** A press the bot is expected to answer with answerCallbackQuery. */
  openCallbackQuery(query: TelegramCallbackQuery): void {
    this.callbackQueries.set(query.id, query);
  }

  /** The user wrote to the bot some time ago: the bot may message them. */
  openChat(user: TelegramTestUser): void {
    this.openedChats.set(user.id, this.chatOf(user));
  }

  chatOf(user: TelegramTestUser): TelegramChat {
    const existing = this.chats.get(user.id)?.values().next().value;
    if (existing) return existing.chat;
    const opened = this.openedChats.get(user.id);
    if (opened) return opened;
    return {
      id: user.id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
    };
  }

  storeMessage(
    chatId: number,
    content: Omit<TelegramMessage, 'message_id' | 'date'>,
  ): TelegramMessage {
    const messageId = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, messageId + 1);
    const message: TelegramMessage = { message_id: messageId, date: nowSeconds(), ...content };
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = new Map();
      this.chats.set(chatId, chat);
    }
    chat.set(messageId, message);
    return structuredClone(message);
  }

  // ---- methods -----------------------------------------------------------------------------------

  private sendMessage(params: Record<string, unknown>): TelegramMessage {
    const chat = this.knownChat(params.chat_id);
    const text = this.checkedText(params.text, params.parse_mode, MAX_TEXT_LENGTH, 'message text');
    if (!text.trim()) throw badRequest('message text is empty');
    const replyMarkup = this.checkedMarkup(params.reply_markup);
    return this.storeMessage(chat.id, {
      from: this.bot,
      chat,
      text,
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    });
  }

  private sendPhoto(params: Record<string, unknown>, files: RecordedFile[]): TelegramMessage {
    const chat = this.knownChat(params.chat_id);
    const upload = files.find((file) => file.field === 'photo');
    if (!upload && typeof params.photo !== 'string')
      throw badRequest('there is no photo in the request');
    const caption =
      params.caption === undefined
        ? undefined
        : this.checkedText(params.caption, params.parse_mode, MAX_CAPTION_LENGTH, 'caption');
    const size = upload ? pngSize(upload.data) : undefined;
    if (upload && !size && upload.contentType === 'image/png')
      throw badRequest('IMAGE_PROCESS_FAILED');
    const fileId = `photo-${randomBytes(8).toString('hex')}`;
    const photo: PhotoSize[] = [
      {
        file_id: fileId,
        file_unique_id: fileId.slice(6),
        width: size?.width ?? 0,
        height: size?.height ?? 0,
        file_size: upload?.data.length,
      },
    ];
    const replyMarkup = this.checkedMarkup(params.reply_markup);
    return this.storeMessage(chat.id, {
      from: this.bot,
      chat,
      photo,
      ...(caption !== undefined ? { caption } : {}),
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    });
  }

  private editMessage(
    params: Record<string, unknown>,
    what: 'text' | 'reply_markup',
  ): TelegramMessage | true {
    if (params.inline_message_id !== undefined) return true;
    const chat = this.knownChat(params.chat_id);
    const message = this.chats.get(chat.id)?.get(asNumber(params.message_id, -1));
    if (!message) throw badRequest('message to edit not found');
    const replyMarkup = this.checkedMarkup(params.reply_markup);
    const next: TelegramMessage = { ...message };
    if (what === 'text') {
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      next.text = this.checkedText(params.text, params.parse_mode, MAX_TEXT_LENGTH, 'message text');
    }
    if (replyMarkup) next.reply_markup = replyMarkup;
    else delete next.reply_markup;
    if (
      next.text === message.text &&
      JSON.stringify(next.reply_markup ?? null) === JSON.stringify(message.reply_markup ?? null)
    ) {
      throw badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    next.edit_date = nowSeconds();
    this.chats.get(chat.id)?.set(message.message_id, next);
    return structuredClone(next);
  }

  private answerCallbackQuery(params: Record<string, unknown>): true {
    const id = String(params.callback_query_id ?? '');
    if (!this.callbackQueries.has(id))
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    this.callbackQueries.delete(id);
    if (typeof params.text === 'string' && params.text.length > 200)
      throw badRequest('MESSAGE_TOO_LONG');
    return true;
  }

  private setWebhook(params: Record<string, unknown>): true {
    const url = typeof params.url === 'string' ? params.url : '';
    if (url === '') {
      this.webhook = undefined;
      return true;
    }
    if (!/^https?:\/\/\S+$/.test(url)) throw badRequest('bad webhook: invalid URL');
    const secret = params.secret_token;
    if (
      secret !== undefined &&
      (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
    )
      throw badRequest('bad webhook: secret token contains unallowed characters');
    this.webhook = { url, ...(typeof secret === 'string' ? { secretToken: secret } : {}) };
    return true;
  }

  private setMyCommands(params: Record<string, unknown>): true {
    const commands = params.commands;
    if (!Array.isArray(commands)) throw badRequest('commands must be an array');
    for (const command of commands as BotCommand[]) {
      if (!/^[a-z0-9_]{1,32}$/.test(command.command ?? '')) throw badRequest('BOT_COMMAND_INVALID');
      if (!command.description || command.description.length > 256)
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    }
    this.commands.set(
      this.commandsKey(params.scope, params.language_code),
      commands as BotCommand[],
    );
    return true;
  }

  private commandsKey(scope: unknown, languageCode: unknown): string {
    const scopeKey =
      scope && typeof scope === 'object' ? JSON.stringify(scope) : '{"type":"default"}';
    return `${scopeKey}|${typeof languageCode === 'string' ? languageCode : ''}`;
  }

  private knownChat(chatId: unknown): TelegramChat {
    const id = asNumber(chatId, NaN);
    const first = this.chats.get(id)?.values().next().value;
    const chat = first?.chat ?? this.openedChats.get(id);
    // A bot can only write to a user who wrote to it first.
    if (!chat) throw badRequest('chat not found');
    return chat;
  }

  private checkedText(value: unknown, parseMode: unknown, maxLength: number, what: string): string {
    if (typeof value !== 'string') throw badRequest(`${what} is empty`);
    let plain: string;
    try {
      plain = plainTextOf(value, parseMode);
    } catch (error) {
      if (error instanceof FormattedTextError) throw new TelegramApiError(400, error.message);
      throw error;
    }
    if (plain.length > maxLength) throw badRequest(`${what} is too long`);
    return plain;
  }

  private checkedMarkup(value: unknown): ReplyMarkup | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object')
      throw badRequest("can't parse reply keyboard markup JSON object");
    const markup = value as ReplyMarkup;
    for (const row of markup.inline_keyboard ?? []) {
      for (const button of row as InlineKeyboardButton[]) {
        if (!button.text) throw badRequest('text buttons are unallowed in the inline keyboard');
        if (
          button.callback_data !== undefined &&
          Buffer.byteLength(button.callback_data) > MAX_CALLBACK_DATA_BYTES
        ) {
          throw badRequest('BUTTON_DATA_INVALID');
        }
        if (button.url !== undefined && !isAcceptedButtonUrl(button.url)) {
          throw badRequest(`inline keyboard button URL '${button.url}' is invalid: Wrong HTTP URL`);
        }
      }
    }
    return markup;
  }
}
