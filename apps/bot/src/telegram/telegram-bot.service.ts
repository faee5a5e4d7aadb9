import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Composer, Telegraf, TelegramError } from 'telegraf';
import type { BotCommand } from 'telegraf/types';
import { Correlation } from '@up/logging';
import { BotConfig } from '../config/bot.config';
import { CATALOGUES, Feature, languageOf, LANGUAGES, messagesFor } from '../i18n/i18n';
import type { BotContext } from './bot-context';
import { classifyFailure } from './bot-failures';
import { UpdateQueue } from './update-queue';

export type BotHandler = (ctx: BotContext) => Promise<void>;
/** A command handler gets the text after the command (`/start UP-ABC123` → `UP-ABC123`). */
export type CommandHandler = (ctx: BotContext, payload: string) => Promise<void>;

/** The commands offered in Telegram's menu, in this order. */
const MENU_COMMANDS = ['start', 'login', 'qr', 'profile', 'events', 'help'] as const;

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * The Telegram connection: one Telegraf instance polling `getUpdates` on TELEGRAM_API_ROOT.
 *
 * Features register their commands and buttons here (in onModuleInit); the bot launches once the
 * app has started (so every handler is in place), registers the command menu, and keeps retrying
 * with backoff while Telegram is unreachable. Each handler runs behind an error guard: a service
 * that does not answer makes the bot say the feature is unavailable, and nothing a handler throws
 * can stop the polling. Without TELEGRAM_BOT_TOKEN the app stays up, idle, and says so.
 */
@Injectable()
export class TelegramBot implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TelegramBot.name);
  private readonly handlers = new Composer<BotContext>();
  private readonly queue = new UpdateQueue();
  private bot?: Telegraf<BotContext>;
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(private readonly config: BotConfig) {}

  /** Handles `/<name>` (also `/<name>@<bot username>`). */
  command(name: string, feature: Feature, handler: CommandHandler): void {
    this.handlers.command(name, (ctx) =>
      this.guard(ctx, feature, () =>
        ctx.chat.type === 'private' ? handler(ctx, ctx.payload.trim()) : this.toPrivate(ctx),
      ),
    );
  }

  /** Handles inline-button presses whose callback data matches `trigger`. */
  action(trigger: RegExp, feature: Feature, handler: BotHandler): void {
    this.handlers.action(trigger, (ctx) => this.guard(ctx, feature, handler));
  }

  /** The bot's @username (from getMe), once connected. */
  get username(): string | undefined {
    return this.bot?.botInfo?.username;
  }

  onApplicationBootstrap(): void {
    const token = this.config.TELEGRAM_BOT_TOKEN;
    if (!token) {
      // main.ts tells the operator; here it only means no Telegram connection is made.
      this.logger.debug('No TELEGRAM_BOT_TOKEN: not connecting to Telegram');
      return;
    }
    const bot = new Telegraf<BotContext>(token, {
      telegram: { apiRoot: this.config.TELEGRAM_API_ROOT },
    });
    bot.use((ctx, next) => {
      ctx.lang = languageOf(ctx.from?.language_code);
      ctx.t = messagesFor(ctx.lang);
      return next();
    });
    bot.use((ctx) => {
      const chatKey = String(ctx.chat?.id ?? ctx.from?.id ?? 'none');
      // One correlation id per update: it travels with every bus call the update makes.
      this.queue.push(chatKey, () => Correlation.run(undefined, () => this.handle(ctx)));
      return Promise.resolve();
    });
    // Last line of defence; handle() already catches, so reaching this is a bug worth a log line.
    bot.catch((error, ctx) => {
      this.logger.error(
        { err: error, updateId: ctx.update.update_id },
        'Unhandled error in a bot update',
      );
    });
    this.bot = bot;
    this.running = this.run(bot);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    if (!this.bot) return;
    try {
      this.bot.stop('shutdown');
    } catch {
      // "Bot is not running": it never got to poll (Telegram unreachable); nothing to stop.
    }
    await this.running;
    const drained = await this.queue.drain(this.config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    if (!drained)
      this.logger.warn(`Stopped with ${this.queue.size} bot update(s) still in progress`);
    this.logger.log('Bot stopped');
  }

  private async handle(ctx: BotContext): Promise<void> {
    try {
      await this.handlers.middleware()(ctx, () => this.unhandled(ctx));
    } catch (error) {
      this.logger.error(
        { err: error, updateId: ctx.update.update_id },
        'Unhandled error in a bot update',
      );
    }
  }

  /**
   * What no feature handled: a button from an older message gets its spinner stopped with a note;
   * anything typed in a private chat gets the list of commands.
   */
  private async unhandled(ctx: BotContext): Promise<void> {
    if (ctx.callbackQuery) {
      await ctx.answerCbQuery(ctx.t.errors.unknownButton);
    } else if (ctx.chat?.type === 'private' && ctx.message) {
      await ctx.reply(ctx.t.start.help);
    }
  }

  /** Connects, registers the menu and polls until stopped; retries while Telegram is unreachable. */
  private async run(bot: Telegraf<BotContext>): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      try {
        bot.botInfo ??= await bot.telegram.getMe();
        await this.registerCommands(bot);
        this.logger.log(`Connected to Telegram as @${bot.botInfo.username}; polling for updates`);
        attempt = 0;
        await bot.launch();
        return;
      } catch (error) {
        if (this.stopping) return;
        if (error instanceof TelegramError && error.code === 401) {
          this.logger.error('Telegram refused TELEGRAM_BOT_TOKEN (401): the bot is idle');
          return;
        }
        attempt += 1;
        const delay = Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** attempt);
        this.logger.warn(
          { err: error, attempt },
          `Telegram connection failed; retrying in ${delay} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private async registerCommands(bot: Telegraf<BotContext>): Promise<void> {
    const menu = (language: (typeof LANGUAGES)[number]): BotCommand[] =>
      MENU_COMMANDS.map((command) => ({
        command,
        description: CATALOGUES[language].commands[command],
      }));
    // The default list is Russian (the club's language); English clients get their own.
    await bot.telegram.setMyCommands(menu('ru'));
    await bot.telegram.setMyCommands(menu('en'), { language_code: 'en' });
  }

  /**
   * The bot answers in private chats only: in a group, a login link or a profile would be shown
   * to everyone in it. There it points the member to a private chat instead.
   */
  private async toPrivate(ctx: BotContext): Promise<void> {
    await ctx.reply(ctx.t.errors.privateOnly({ link: `https://t.me/${ctx.botInfo.username}` }));
  }

  /** Runs a handler; a failure becomes a reply (and a log line), never an unhandled error. */
  private async guard(ctx: BotContext, feature: Feature, handler: BotHandler): Promise<void> {
    try {
      await handler(ctx);
    } catch (error) {
      await this.replyFailure(ctx, feature, error);
    }
  }

  private async replyFailure(ctx: BotContext, feature: Feature, error: unknown): Promise<void> {
    const kind = classifyFailure(error);
    const context = { feature, updateId: ctx.update.update_id };
    let text: string;
    if (kind === 'unavailable') {
      // Expected while a service is down: one line, no stack.
      this.logger.warn(
        { ...context, reason: (error as Error).message },
        `${feature}: a service did not answer`,
      );
      text = ctx.t.errors.unavailable[feature];
    } else if (kind === 'member-inactive') {
      text = ctx.t.errors.memberInactive;
    } else {
      const errorId = randomUUID();
      this.logger.error({ ...context, errorId, err: error }, `${feature}: unexpected error`);
      text = ctx.t.errors.unexpected;
    }
    try {
      if (ctx.callbackQuery) {
        await ctx.answerCbQuery().catch((answerError: unknown) => {
          // Already answered before the failure, or too late: the reply below still informs.
          this.logger.debug(
            { ...context, err: answerError },
            'Could not answer the callback query',
          );
        });
      }
      await ctx.reply(text);
    } catch (replyError) {
      this.logger.error(
        { ...context, err: replyError },
        'Could not tell the member about a failure',
      );
    }
  }
}
