import { randomBytes, randomInt } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FormattedTextError, plainTextOf } from './formatted-text';
import { parseRequestParams, RecordedFile } from './request-params';
import type {
  BotCommand,
  InlineKeyboardButton,
  PhotoSize,
  ReplyMarkup,
  TelegramBotUser,
  TelegramCallbackQuery,
  TelegramChat,
  TelegramGroupChat,
  TelegramMessage,
  TelegramTestUser,
  TelegramUpdate,
} from './telegram-types';

/** One Bot API call the bot made, as the fake received and answered it. */
export interface RecordedCall {
  /** 1-based position in `fake.calls`. */
  seq: number;
  method: string;
  params: Record<string, unknown>;
  files: RecordedFile[];
  /** What the fake answered (`result` of `{ok: true, result}`), when it succeeded. */
  result?: unknown;
  /** Telegram's error description, when the fake refused the call. */
  error?: string;
  at: Date;
}

export interface WaitForCallOptions {
  timeoutMs?: number;
  /**
   * Only calls with `seq > since` match. Defaults to the calls made after the latest simulated
   * user action (`sendText`/`pressButton`), so a wait finds the bot's answer to that action and
   * not an older one. Pass 0 to search every call (e.g. `setMyCommands` at start).
   */
  since?: number;
}

export interface FakeTelegramBotApiOptions {
  /** The bot's token; calls with another token get 401 like Telegram's. Generated when omitted. */
  token?: string;
  botUsername?: string;
  botFirstName?: string;
}

class TelegramApiError extends Error {
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

interface PendingPoll {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

type CallPredicate = (call: RecordedCall) => boolean;

/** Names a message: a TelegramMessage, or the `result` of the bot's sendMessage/sendPhoto call. */
export interface MessageRef {
  message_id: number;
  chat: { id: number };
}

interface CallWaiter {
  method: string;
  predicate: CallPredicate;
  since: number;
  resolve: (call: RecordedCall) => void;
}

const MAX_CALLBACK_DATA_BYTES = 64;
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

function asNumber(value: unknown, fallback: number): number {
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
 * A local stand-in for the Telegram Bot API (`https://api.telegram.org`), for tests: a plain
 * `node:http` server on 127.0.0.1 serving `/bot<token>/<method>` with Telegram's envelope
 * (`{ok, result}` / `{ok: false, error_code, description}`).
 *
 * - Long polling: `getUpdates` honours `offset` (confirms older updates), `limit` and `timeout`
 *   (holds the request until an update arrives), and, like Telegram, answers 409 to the older of
 *   two concurrent pollers, so Telegraf's polling loop runs against it unchanged.
 * - Simulated users talk to the bot with `sendText` and `pressButton`; the bot's calls are
 *   recorded in `calls` (params and uploaded files) and awaited with `waitForCall`. `ask` and
 *   `press` do both for the usual exchange: a message or a press, and the bot's reply.
 * - sendMessage / sendPhoto (multipart) / editMessageText / editMessageReplyMarkup keep a chat
 *   history (`messagesIn(chatId)`) and check what Telegram checks that bots get wrong: empty or
 *   too long text, HTML that does not parse, callback data over 64 bytes, editing to the same
 *   content ("message is not modified"). Any other method answers `{ok: true, result: true}`.
 *
 * No library fits: Telegram ships no test server and the community mocks intercept the client
 * instead of speaking HTTP, which would skip Telegraf's real polling and multipart upload.
 */
export class FakeTelegramBotApi {
  readonly token: string;
  readonly bot: TelegramBotUser;
  readonly calls: RecordedCall[] = [];

  private server!: Server;
  private baseUrl = '';
  private readonly updates: TelegramUpdate[] = [];
  private nextUpdateId = 1;
  private poll: PendingPoll | undefined;
  private readonly chats = new Map<number, Map<number, TelegramMessage>>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly callbackQueries = new Map<string, TelegramCallbackQuery>();
  private readonly commands = new Map<string, BotCommand[]>();
  private readonly waiters = new Set<CallWaiter>();
  private readonly pollWaiters = new Set<() => void>();
  private actionCursor = 0;
  private closed = false;

  private constructor(options: FakeTelegramBotApiOptions) {
    const botId = randomInt(1_000_000_000, 2_000_000_000);
    this.token = options.token ?? `${botId}:TEST-${randomBytes(16).toString('hex')}`;
    this.bot = {
      id: Number(this.token.split(':')[0]) || botId,
      is_bot: true,
      first_name: options.botFirstName ?? 'UP Club',
      username: options.botUsername ?? 'up_club_test_bot',
      can_join_groups: false,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
  }

  /** Starts a fake on 127.0.0.1 and a free port. Close it in afterAll. */
  static async start(options: FakeTelegramBotApiOptions = {}): Promise<FakeTelegramBotApi> {
    const fake = new FakeTelegramBotApi(options);
    await fake.listen();
    return fake;
  }

  /** The API root to give the bot (`TELEGRAM_API_ROOT`). */
  get url(): string {
    return this.baseUrl;
  }

  // ---- simulated users ---------------------------------------------------------------------

  /**
   * A user writes `text` to the bot, in their private chat or, with `options.group`, in a group
   * the bot is in. Returns the message as Telegram made it.
   */
  sendText(
    user: TelegramTestUser,
    text: string,
    options: {
      group?: Omit<TelegramGroupChat, 'type'> & { type?: TelegramGroupChat['type'] };
    } = {},
  ): TelegramMessage {
    const command = /^\/\S+/.exec(text);
    const chat: TelegramChat = options.group
      ? { type: 'group', ...options.group }
      : this.chatOf(user);
    const message = this.storeMessage(chat.id, {
      from: user,
      chat,
      text,
      ...(command
        ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }
        : {}),
    });
    this.pushUpdate({ message });
    return message;
  }

  /**
   * A user presses the inline button with `callbackData` under one of the bot's messages (its
   * current version, after edits). Throws if that message has no such button, listing the ones it
   * has. Returns the callback query id (the bot should answer it with answerCallbackQuery).
   */
  pressButton(user: TelegramTestUser, message: MessageRef, callbackData: string): string {
    const current = this.chats.get(message.chat.id)?.get(message.message_id);
    if (!current) throw new Error(`No message ${message.message_id} in chat ${message.chat.id}`);
    const buttons = (current.reply_markup?.inline_keyboard ?? []).flat();
    if (!buttons.some((button) => button.callback_data === callbackData)) {
      const available = buttons
        .map((b) => `${b.text} -> ${b.callback_data ?? b.url ?? '?'}`)
        .join(', ');
      throw new Error(
        `Message ${message.message_id} has no button "${callbackData}" (buttons: ${available || 'none'})`,
      );
    }
    const query: TelegramCallbackQuery = {
      id: randomBytes(8).readBigUInt64BE().toString(),
      from: user,
      message: structuredClone(current),
      chat_instance: String(message.chat.id),
      data: callbackData,
    };
    this.callbackQueries.set(query.id, query);
    this.pushUpdate({ callback_query: query });
    return query.id;
  }

  /** A user writes `text` in their private chat; resolves with the bot's next message there. */
  async ask(user: TelegramTestUser, text: string, timeoutMs?: number): Promise<TelegramMessage> {
    this.sendText(user, text);
    const reply = await this.waitForCall('sendMessage', (c) => c.params.chat_id === user.id, {
      timeoutMs,
    });
    return reply.result as TelegramMessage;
  }

  /**
   * A user presses a button (see `pressButton`); resolves with the bot's next message in the chat
   * once the bot has also answered the press (a press left unanswered spins on in the app).
   */
  async press(
    user: TelegramTestUser,
    message: MessageRef,
    callbackData: string,
    timeoutMs?: number,
  ): Promise<TelegramMessage> {
    const queryId = this.pressButton(user, message, callbackData);
    const [reply] = await Promise.all([
      this.waitForCall('sendMessage', (c) => c.params.chat_id === message.chat.id, { timeoutMs }),
      this.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === queryId, {
        timeoutMs,
      }),
    ]);
    return reply.result as TelegramMessage;
  }

  /** The seq of the latest recorded call: pass it as `since` to wait only for later calls. */
  mark(): number {
    return this.calls.length;
  }

  /**
   * Resolves with the first call of `method` matching `predicate` (see WaitForCallOptions.since
   * for which calls count); rejects after `timeoutMs` (default 5000) listing the calls of that
   * method it saw, which is usually what explains the failure.
   */
  waitForCall(
    method: string,
    predicate: CallPredicate = () => true,
    options: number | WaitForCallOptions = {},
  ): Promise<RecordedCall> {
    const { timeoutMs = 5000, since = this.actionCursor } =
      typeof options === 'number' ? { timeoutMs: options } : options;
    const found = this.calls.find(
      (call) => call.seq > since && call.method === method && predicate(call),
    );
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: CallWaiter = {
        method,
        predicate,
        since,
        resolve: (call) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.calls
          .filter((call) => call.seq > since && call.method === method)
          .map((call) => JSON.stringify({ params: call.params, error: call.error }))
          .slice(-5);
        reject(
          new Error(
            `No matching ${method} call within ${timeoutMs} ms; ${method} calls seen: ${seen.length ? seen.join('\n') : 'none'}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Resolves once a bot is long-polling (a getUpdates is waiting here): the bot is up. Updates sent
   * before then are kept and delivered anyway; this is for tests that need the bot started.
   */
  waitUntilPolling(timeoutMs = 10_000): Promise<void> {
    if (this.poll) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pollWaiters.delete(done);
        reject(new Error(`No bot polled getUpdates within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.pollWaiters.add(done);
    });
  }

  /** The chat with a user as it stands: their messages and the bot's, oldest first, edits applied. */
  messagesIn(chatId: number): TelegramMessage[] {
    return [...(this.chats.get(chatId)?.values() ?? [])].map((m) => structuredClone(m));
  }

  /** The bot's command list as set with setMyCommands (default scope, no language unless given). */
  commandsFor(languageCode = ''): BotCommand[] {
    return this.commands.get(this.commandsKey(undefined, languageCode)) ?? [];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) this.finishPoll(this.poll, []);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.reply(
          res,
          { ok: false, error_code: 500, description: `Internal fake error: ${String(error)}` },
          500,
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) {
      req.resume();
      this.reply(res, { ok: false, error_code: 404, description: 'Not Found' }, 404);
      return;
    }
    const [, token, rawMethod] = match;
    if (token !== this.token) {
      req.resume();
      this.reply(res, { ok: false, error_code: 401, description: 'Unauthorized' }, 401);
      return;
    }
    // Telegram's method names are case-insensitive.
    const method = this.canonicalMethod(rawMethod);
    const { params, files } = await parseRequestParams(req, url);
    if (method === 'getUpdates') {
      this.getUpdates(params, res);
      return;
    }
    const call: RecordedCall = { seq: 0, method, params, files, at: new Date() };
    try {
      call.result = this.dispatch(method, params, files);
      this.record(call);
      this.reply(res, { ok: true, result: call.result });
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      call.error = error.description;
      this.record(call);
      this.reply(
        res,
        { ok: false, error_code: error.errorCode, description: error.description },
        error.errorCode,
      );
    }
  }

  private canonicalMethod(raw: string): string {
    const known = [
      'getMe',
      'getUpdates',
      'sendMessage',
      'sendPhoto',
      'editMessageText',
      'editMessageReplyMarkup',
      'answerCallbackQuery',
      'deleteWebhook',
      'setMyCommands',
      'getMyCommands',
      'deleteMyCommands',
    ];
    return known.find((name) => name.toLowerCase() === raw.toLowerCase()) ?? raw;
  }

  private reply(res: ServerResponse, body: unknown, status = 200): void {
    if (res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  }

  private record(call: RecordedCall): void {
    call.seq = this.calls.length + 1;
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      if (call.seq > waiter.since && call.method === waiter.method && waiter.predicate(call)) {
        waiter.resolve(call);
      }
    }
  }

  // ---- getUpdates (long polling) -------------------------------------------------------------

  private getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    const offset = asNumber(params.offset, 0);
    const limit = Math.min(100, Math.max(1, asNumber(params.limit, 100)));
    const timeoutSeconds = Math.max(0, asNumber(params.timeout, 0));
    this.confirm(offset);
    if (this.poll) {
      // Telegram lets one poller in at a time and tells the older one so.
      const older = this.poll;
      this.poll = undefined;
      clearTimeout(older.timer);
      this.reply(
        older.res,
        {
          ok: false,
          error_code: 409,
          description:
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        },
        409,
      );
    }
    const available = this.pending(offset, limit);
    if (available.length > 0 || timeoutSeconds === 0 || this.closed) {
      this.recordPoll(params, available);
      this.reply(res, { ok: true, result: available });
      return;
    }
    const poll: PendingPoll = {
      offset,
      limit,
      res,
      timer: setTimeout(() => this.finishPoll(poll, []), timeoutSeconds * 1000),
    };
    poll.timer.unref();
    this.poll = poll;
    for (const done of this.pollWaiters) done();
    this.pollWaiters.clear();
    res.on('close', () => {
      // The bot aborted its request (bot.stop()); nothing to answer.
      if (this.poll === poll) {
        clearTimeout(poll.timer);
        this.poll = undefined;
      }
    });
  }

  private finishPoll(poll: PendingPoll, updates: TelegramUpdate[]): void {
    clearTimeout(poll.timer);
    if (this.poll === poll) this.poll = undefined;
    this.recordPoll({ offset: poll.offset, limit: poll.limit }, updates);
    this.reply(poll.res, { ok: true, result: updates });
  }

  private recordPoll(params: Record<string, unknown>, updates: TelegramUpdate[]): void {
    this.record({
      seq: 0,
      method: 'getUpdates',
      params,
      files: [],
      result: updates,
      at: new Date(),
    });
  }

  /** A getUpdates with `offset` confirms every update before it: Telegram forgets them. */
  private confirm(offset: number): void {
    if (offset <= 0) return;
    while (this.updates.length > 0 && this.updates[0].update_id < offset) this.updates.shift();
  }

  private pending(offset: number, limit: number): TelegramUpdate[] {
    // A negative offset asks for the last -offset updates.
    const from =
      offset < 0 ? this.updates.slice(offset) : this.updates.filter((u) => u.update_id >= offset);
    return from.slice(0, limit).map((u) => structuredClone(u));
  }

  private pushUpdate(update: Omit<TelegramUpdate, 'update_id'>): void {
    if (this.closed) throw new Error('The fake Telegram Bot API is closed');
    this.actionCursor = this.calls.length;
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    const poll = this.poll;
    if (poll) {
      const available = this.pending(poll.offset, poll.limit);
      if (available.length > 0) this.finishPoll(poll, available);
    }
  }

  // ---- methods -------------------------------------------------------------------------------

  private dispatch(
    method: string,
    params: Record<string, unknown>,
    files: RecordedFile[],
  ): unknown {
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
      case 'deleteWebhook':
      default:
        return true;
    }
  }

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

  // ---- chat state ----------------------------------------------------------------------------

  private chatOf(user: TelegramTestUser): TelegramChat {
    const existing = this.chats.get(user.id)?.values().next().value;
    if (existing) return existing.chat;
    return {
      id: user.id,
      type: 'private',
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
    };
  }

  private knownChat(chatId: unknown): TelegramChat {
    const id = asNumber(chatId, NaN);
    const first = this.chats.get(id)?.values().next().value;
    // A bot can only write to a user who wrote to it first.
    if (!first) throw badRequest('chat not found');
    return first.chat;
  }

  private storeMessage(
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
