import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Composer, Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { Correlation } from '@up/logging';
import { BotConfig } from '../config/bot.config';
import { Feature, languageOf, messagesFor } from '../i18n/i18n';
import { Backoff, pause } from './backoff';
import type { BotContext } from './bot-context';
import { BotDecorations } from './bot-decorations';
import { classifyFailure } from './bot-failures';
import { LeasedPoller } from './leased-poller';
import { LongPoller } from './long-poller';
import { PollLease } from './poll-lease';
import {
  callTelegram,
  describeFailure,
  isUnauthorized,
  TokenRefusedError,
} from './telegram-api-errors';
import { TelegramRedis } from './telegram-redis';
import { UpdateDedupe } from './update-dedupe';
import { UpdateQueue } from './update-queue';
import type { UpdateSource } from './update-source';
import { WebhookReceiver } from './webhook-receiver';

export type BotHandler = (ctx: BotContext) => Promise<void>;
/** A command handler gets the text after the command (`/start UP-ABC123` → `UP-ABC123`). */
export type CommandHandler = (ctx: BotContext, payload: string) => Promise<void>;

/**
 * The Telegram connection: one Telegraf instance (the router and the API client) on
 * TELEGRAM_API_ROOT, fed with updates by a webhook (TELEGRAM_WEBHOOK_URL set; every replica
 * serves it) or by long polling (one replica at a time, holding a lease in Redis). Either way an
 * update_id is handled once across replicas.
 *
 * Features register their commands and buttons here (in onModuleInit); the bot starts receiving
 * once the app has started (so every handler is in place), retries with backoff while Telegram is
 * unreachable, and decorates itself (command menu) in the background. Each handler runs behind an
 * error guard: a service that does not answer makes the bot say the feature is unavailable, and
 * nothing a handler throws can stop the receiving. Without TELEGRAM_BOT_TOKEN the app stays up,
 * idle, and says so; a token Telegram refuses (401) stops it with one log line.
 */
@Injectable()
export class TelegramBot implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TelegramBot.name);
  private readonly handlers = new Composer<BotContext>();
  private readonly preparations: BotHandler[] = [];
  private readonly queue = new UpdateQueue();
  private readonly stopping = new AbortController();
  private bot?: Telegraf<BotContext>;
  private source?: UpdateSource;
  private running?: Promise<void>;
  private decorating?: Promise<void>;

  constructor(
    private readonly config: BotConfig,
    private readonly redis: TelegramRedis,
  ) {}

  /** Handles `/<name>` (also `/<name>@<bot username>`). */
  command(name: string, feature: Feature, handler: CommandHandler): void {
    this.handlers.command(name, (ctx) =>
      this.guard(ctx, feature, () =>
        ctx.chat.type === 'private' ? handler(ctx, ctx.payload.trim()) : this.toPrivate(ctx),
      ),
    );
  }

  /**
   * A step run before the handlers of every update (e.g. setting the member's own language). A
   * failing step is logged and the update is handled anyway.
   */
  prepare(step: BotHandler): void {
    this.preparations.push(step);
  }

  /** Handles inline-button presses whose callback data matches `trigger`. */
  action(trigger: RegExp, feature: Feature, handler: BotHandler): void {
    this.handlers.action(trigger, (ctx) => this.guard(ctx, feature, handler));
  }

  /** The bot's @username (from getMe), once connected. */
  get username(): string | undefined {
    return this.bot?.botInfo?.username;
  }

  /** Webhook mode: the port the webhook is served on, once listening. */
  get webhookPort(): number | undefined {
    return this.source instanceof WebhookReceiver ? this.source.port : undefined;
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
    await this.stop({ releaseLease: true });
    const drained = await this.queue.drain(this.config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    if (!drained)
      this.logger.warn(`Stopped with ${this.queue.size} bot update(s) still in progress`);
    if (this.bot) this.logger.log('Bot stopped');
  }

  /**
   * Stops receiving at once, as a killed process would: the polling lease is not given back, so a
   * standby takes over only once it expires. For tests of that takeover.
   */
  async abandon(): Promise<void> {
    await this.stop({ releaseLease: false });
  }

  private async stop(options: { releaseLease: boolean }): Promise<void> {
    this.stopping.abort();
    await this.source?.stop(options);
    await this.running;
    await this.decorating;
  }

  /** Connects, then receives updates until stopped (or refused); decorates in the background. */
  private async run(bot: Telegraf<BotContext>): Promise<void> {
    try {
      const botInfo = await this.connect(bot);
      // Stopped while connecting: a source started now would never be stopped.
      if (!botInfo || this.stopping.signal.aborted) return;
      const source = this.createSource(bot, botInfo.id);
      this.source = source;
      this.decorating = new BotDecorations(bot.telegram).apply(this.stopping.signal);
      this.logger.log(`Connected to Telegram as @${botInfo.username}; ${source.description}`);
      await source.run();
    } catch (error) {
      if (error instanceof TokenRefusedError) return this.refused(error.method);
      this.logger.error({ err: error }, 'Receiving Telegram updates failed; the bot is idle');
      this.stopping.abort();
    }
  }

  /** getMe, retried with backoff while Telegram is unreachable; undefined once stopped. */
  private async connect(
    bot: Telegraf<BotContext>,
  ): Promise<NonNullable<Telegraf<BotContext>['botInfo']> | undefined> {
    const backoff = new Backoff();
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        bot.botInfo = await callTelegram(bot.telegram, 'getMe', {}, signal);
        return bot.botInfo;
      } catch (error) {
        if (signal.aborted) return undefined;
        if (isUnauthorized(error)) throw new TokenRefusedError('getMe');
        const delay = backoff.next();
        this.logger.warn(
          { reason: describeFailure(error), attempt: backoff.attempts, retryInMs: delay },
          'Telegram connection failed; retrying',
        );
        await pause(delay, signal);
      }
    }
    return undefined;
  }

  private createSource(bot: Telegraf<BotContext>, botId: number): UpdateSource {
    // One hash tag per bot: a batch's claims are one pipeline, which a Redis Cluster takes only
    // for keys of one node.
    const dedupe = new UpdateDedupe(this.redis.client, (updateId) =>
      this.redis.key(`{updates:${botId}}:${updateId}`),
    );
    const sink = (updates: Update[]) => this.receive(bot, dedupe, updates);
    const { TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: secret } = this.config;
    if (url && secret) {
      return new WebhookReceiver({
        telegram: bot.telegram,
        sink,
        url,
        secret,
        port: this.config.BOT_HTTP_PORT,
      });
    }
    const lease = new PollLease(
      this.redis.client,
      this.redis.key(`poll-lease:${botId}`),
      `${this.config.BUS_CONSUMER_NAME}:${randomUUID()}`,
      this.config.BOT_POLL_LEASE_SECONDS * 1000,
    );
    return new LeasedPoller({
      telegram: bot.telegram,
      lease,
      poller: new LongPoller(bot.telegram, sink),
    });
  }

  /** Hands each update not yet taken by a replica to the handlers (queued per chat). */
  private async receive(
    bot: Telegraf<BotContext>,
    dedupe: UpdateDedupe,
    updates: Update[],
  ): Promise<void> {
    const ids = updates.map((update) => update.update_id);
    let fresh: Set<number>;
    try {
      fresh = await dedupe.claim(ids);
    } catch (error) {
      // A member waiting for an answer outweighs the small chance of answering an update twice.
      this.logger.warn({ err: error, updateIds: ids }, 'Could not claim update ids in Redis');
      fresh = new Set(ids);
    }
    for (const update of updates) {
      if (!fresh.has(update.update_id)) {
        this.logger.debug({ updateId: update.update_id }, 'Update already handled; dropped');
        continue;
      }
      await bot.handleUpdate(update).catch((error: unknown) => {
        this.logger.error({ err: error, updateId: update.update_id }, 'Could not handle update');
      });
    }
  }

  /** The one log line of a refused token; everything stops and the bot stays idle. */
  private refused(method: string): void {
    this.logger.error(
      `Telegram refused TELEGRAM_BOT_TOKEN (401 on ${method}): the bot stopped receiving updates and is idle`,
    );
    this.stopping.abort();
  }

  private async handle(ctx: BotContext): Promise<void> {
    for (const step of this.preparations) {
      await step(ctx).catch((error: unknown) => {
        this.logger.warn(
          { err: error, updateId: ctx.update.update_id },
          'Preparing an update failed; handling it with the defaults',
        );
      });
    }
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
