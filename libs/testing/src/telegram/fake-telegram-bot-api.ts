import { randomBytes, randomInt } from 'node:crypto';
import { BotApiMethods, WebhookInfo } from './bot-api-methods';
import { BotApiServer, PollingStats, WebhookDelivery } from './bot-api-server';
import { CallLog, CallPredicate, RecordedCall, WaitForCallOptions } from './call-log';
import { FaultHandle, FaultRule, Faults } from './faults';
import { SendRecord, sendsOf } from './send-accounting';
import { MessageRef, SendTextOptions, SimulatedUsers } from './simulated-users';
import type {
  BotCommand,
  TelegramBotUser,
  TelegramMessage,
  TelegramTestUser,
} from './telegram-types';

export type { RecordedCall, WaitForCallOptions } from './call-log';
export type { MessageRef } from './simulated-users';
export type { WebhookDelivery } from './bot-api-server';
export type { WebhookInfo } from './bot-api-methods';
export type { PollingStats } from './bot-api-server';
export type { FaultAnswer, FaultHandle, FaultRule, ResponseParameters } from './faults';

export interface FakeTelegramBotApiOptions {
  /**
   * The bot's token; calls with another token get 401 like Telegram's (recorded with `error`).
   * Generated when omitted.
   */
  token?: string;
  botUsername?: string;
  botFirstName?: string;
}

/**
 * A local stand-in for the Telegram Bot API (`https://api.telegram.org`), for tests: a plain
 * `node:http` server on 127.0.0.1 serving `/bot<token>/<method>` with Telegram's envelope
 * (`{ok, result}` / `{ok: false, error_code, description}`).
 *
 * - Long polling: `getUpdates` honours `offset` (confirms older updates), `limit` and `timeout`
 *   (holds the request until an update arrives), and, like Telegram, answers 409 to the older of
 *   two concurrent pollers and to every poll while a webhook is set (each 409 recorded as a
 *   getUpdates call with its `error`).
 * - Webhook: setWebhook / deleteWebhook keep the webhook; while one is set, updates are posted to
 *   it with its `secret_token` instead of being held for getUpdates.
 * - Simulated users talk to the bot with `sendText` and `pressButton`; the bot's calls are
 *   recorded in `calls` (params and uploaded files) and awaited with `waitForCall`. `ask` and
 *   `press` do both for the usual exchange: a message or a press, and the bot's reply.
 * - sendMessage / sendPhoto (multipart) / editMessageText / editMessageReplyMarkup keep a chat
 *   history (`messagesIn(chatId)`) and check what Telegram checks that bots get wrong: empty or
 *   too long text, HTML that does not parse, callback data over 64 bytes, editing to the same
 *   content ("message is not modified"). Any other method answers `{ok: true, result: true}`.
 *
 * - Faults on demand (`fail`), the one way to make the fake refuse calls: 429 with retry_after,
 *   403, 5xx, any other Telegram error, or a dropped connection, for given methods (getUpdates
 *   only when named), chats, a number of calls or a time; refused calls are recorded with their
 *   `error`. `sends()` lists every send attempt with its arrival time (rate checks:
 *   send-accounting.ts), `pollingStats` counts concurrent getUpdates callers.
 *
 * The parts: BotApiServer (HTTP and long polling), BotApiMethods (the methods and the chats),
 * SimulatedUsers (the people talking to the bot), CallLog (what the bot called) and Faults.
 *
 * No library fits: Telegram ships no test server and the community mocks intercept the client
 * instead of speaking HTTP, which would skip Telegraf's real polling and multipart upload.
 */
export class FakeTelegramBotApi {
  readonly token: string;
  readonly bot: TelegramBotUser;
  readonly calls: RecordedCall[];

  private readonly log = new CallLog();
  private readonly faults = new Faults();
  private readonly methods: BotApiMethods;
  private readonly server: BotApiServer;
  private readonly users: SimulatedUsers;

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
    this.calls = this.log.calls;
    this.methods = new BotApiMethods(this.bot);
    this.server = new BotApiServer({
      token: this.token,
      methods: this.methods,
      log: this.log,
      faults: this.faults,
    });
    this.users = new SimulatedUsers({ methods: this.methods, server: this.server, log: this.log });
  }

  /** Starts a fake on 127.0.0.1 and a free port. Close it in afterAll. */
  static async start(options: FakeTelegramBotApiOptions = {}): Promise<FakeTelegramBotApi> {
    const fake = new FakeTelegramBotApi(options);
    await fake.server.listen();
    return fake;
  }

  /** The API root to give the bot (`TELEGRAM_API_ROOT`). */
  get url(): string {
    return this.server.url;
  }

  // ---- simulated users ---------------------------------------------------------------------

  /**
   * A user writes `text` to the bot, in their private chat or, with `options.group`, in a group
   * the bot is in. Returns the message as Telegram made it.
   */
  sendText(user: TelegramTestUser, text: string, options: SendTextOptions = {}): TelegramMessage {
    return this.users.sendText(user, text, options);
  }

  /**
   * A user presses the inline button with `callbackData` under one of the bot's messages (its
   * current version, after edits). Throws if that message has no such button, listing the ones it
   * has. Returns the callback query id (the bot should answer it with answerCallbackQuery).
   */
  pressButton(user: TelegramTestUser, message: MessageRef, callbackData: string): string {
    return this.users.pressButton(user, message, callbackData);
  }

  /** A user writes `text` in their private chat; resolves with the bot's next message there. */
  ask(user: TelegramTestUser, text: string, timeoutMs?: number): Promise<TelegramMessage> {
    return this.users.ask(user, text, timeoutMs);
  }

  /**
   * A user presses a button (see `pressButton`); resolves with the bot's next message in the chat
   * once the bot has also answered the press (a press left unanswered spins on in the app).
   */
  press(
    user: TelegramTestUser,
    message: MessageRef,
    callbackData: string,
    timeoutMs?: number,
  ): Promise<TelegramMessage> {
    return this.users.press(user, message, callbackData, timeoutMs);
  }

  /**
   * Users who wrote to the bot before the test began: the bot may message them (Telegram refuses
   * a chat that never wrote to the bot with "chat not found"). For broadcasts to many members.
   */
  openChats(users: readonly TelegramTestUser[]): void {
    for (const user of users) this.methods.openChat(user);
  }

  // ---- faults --------------------------------------------------------------------------------

  /**
   * From now on, calls matching `rule` get its answer instead of being carried out (recorded with
   * their `error`), until `rule.times` calls have been refused or the handle's `remove()`:
   * `fake.fail({ answer: { status: 429, retryAfter: 2 }, chats: [id], times: 1 })`, or
   * `fake.fail({ answer: { status: 'error', errorCode: 401, description: 'Unauthorized' },
   * methods: ['getUpdates'] })`.
   */
  fail(rule: FaultRule): FaultHandle {
    return this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ---- what the bot did ----------------------------------------------------------------------

  /** The seq of the latest recorded call: pass it as `since` to wait only for later calls. */
  mark(): number {
    return this.log.mark();
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
    return this.log.waitFor(method, predicate, options);
  }

  /**
   * Resolves once a bot is long-polling (a getUpdates is waiting here): the bot is up. Updates sent
   * before then are kept and delivered anyway; this is for tests that need the bot started.
   */
  waitUntilPolling(timeoutMs = 10_000): Promise<void> {
    return this.server.waitUntilPolling(timeoutMs);
  }

  /** Every send attempt (sendMessage, sendPhoto) with its arrival time, oldest first. */
  sends(): SendRecord[] {
    return sendsOf(this.log.calls);
  }

  /** getUpdates callers: how many at once, and the 409s that one poller's arrival caused. */
  get pollingStats(): PollingStats {
    return this.server.pollingStats;
  }

  /** The chat with a user as it stands: their messages and the bot's, oldest first, edits applied. */
  messagesIn(chatId: number): TelegramMessage[] {
    return this.methods.messagesIn(chatId);
  }

  /** The bot's command list as set with setMyCommands (default scope, no language unless given). */
  commandsFor(languageCode = ''): BotCommand[] {
    return this.methods.commandsFor(languageCode);
  }

  // ---- the webhook ---------------------------------------------------------------------------

  /**
   * The webhook the bot set (setWebhook; cleared by deleteWebhook). While one is set, getUpdates
   * answers 409 and simulated users' updates are posted to it with its secret, as Telegram does.
   */
  get webhook(): WebhookInfo | undefined {
    return this.methods.webhook;
  }

  /** Sets a webhook as if a bot had (a leftover from an earlier webhook-mode deployment). */
  setWebhook(webhook: WebhookInfo | undefined): void {
    this.methods.webhook = webhook;
  }

  /** Every update posted to the webhook, with the status the bot answered. */
  get webhookDeliveries(): readonly WebhookDelivery[] {
    return this.server.webhookDeliveries;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
