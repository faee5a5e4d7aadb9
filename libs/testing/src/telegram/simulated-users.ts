import { randomBytes } from 'node:crypto';
import { BotApiMethods } from './bot-api-methods';
import { BotApiServer } from './bot-api-server';
import { CallLog } from './call-log';
import type {
  TelegramCallbackQuery,
  TelegramChat,
  TelegramGroupChat,
  TelegramMessage,
  TelegramTestUser,
} from './telegram-types';

/** Names a message: a TelegramMessage, or the `result` of the bot's sendMessage/sendPhoto call. */
export interface MessageRef {
  message_id: number;
  chat: { id: number };
}

export interface SendTextOptions {
  /** A group the bot is in, instead of the user's private chat. */
  group?: Omit<TelegramGroupChat, 'type'> & { type?: TelegramGroupChat['type'] };
}

export interface SimulatedUsersOptions {
  methods: BotApiMethods;
  server: BotApiServer;
  log: CallLog;
}

/** People talking to the bot: their messages and button presses become updates for getUpdates. */
export class SimulatedUsers {
  constructor(private readonly options: SimulatedUsersOptions) {}

  sendText(user: TelegramTestUser, text: string, options: SendTextOptions = {}): TelegramMessage {
    const { methods, server } = this.options;
    const command = /^\/\S+/.exec(text);
    const chat: TelegramChat = options.group
      ? { type: 'group', ...options.group }
      : methods.chatOf(user);
    const message = methods.storeMessage(chat.id, {
      from: user,
      chat,
      text,
      ...(command
        ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }
        : {}),
    });
    server.pushUpdate({ message });
    return message;
  }

  pressButton(user: TelegramTestUser, message: MessageRef, callbackData: string): string {
    const { methods, server } = this.options;
    const current = methods.message(message.chat.id, message.message_id);
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
    methods.openCallbackQuery(query);
    server.pushUpdate({ callback_query: query });
    return query.id;
  }

  async ask(user: TelegramTestUser, text: string, timeoutMs?: number): Promise<TelegramMessage> {
    this.sendText(user, text);
    const reply = await this.options.log.waitFor(
      'sendMessage',
      (c) => c.params.chat_id === user.id,
      { timeoutMs },
    );
    return reply.result as TelegramMessage;
  }

  async press(
    user: TelegramTestUser,
    message: MessageRef,
    callbackData: string,
    timeoutMs?: number,
  ): Promise<TelegramMessage> {
    const { log } = this.options;
    const queryId = this.pressButton(user, message, callbackData);
    const [reply] = await Promise.all([
      log.waitFor('sendMessage', (c) => c.params.chat_id === message.chat.id, { timeoutMs }),
      log.waitFor('answerCallbackQuery', (c) => c.params.callback_query_id === queryId, {
        timeoutMs,
      }),
    ]);
    return reply.result as TelegramMessage;
  }
}
