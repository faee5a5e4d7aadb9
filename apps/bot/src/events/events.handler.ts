import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Markup, TelegramError } from 'telegraf';
import { isBusRemoteError } from '@up/bus';
import { ErrorCode, EventPage, EventView } from '@up/contracts';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { escapeHtml, Messages } from '../i18n/i18n';
import { MembersService } from '../members/members.service';
import { NotificationKind } from '../notifications/notifications.format';
import { seatKey } from '../notifications/notifications.service';
import type { BotContext } from '../telegram/bot-context';
import { busErrorCode } from '../telegram/bot-failures';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { decodeEventsCallback, EventAction, EVENTS_CALLBACK_PREFIX } from './events.callback-data';
import {
  eventButton,
  RenderedMessage,
  renderEventDetails,
  renderEventsPage,
} from './events.format';
import { EventsService } from './events.service';

/** A refusal the list it came from no longer shows right: redraw it after answering. */
const STALE_LIST_CODES: ReadonlySet<string> = new Set([
  ErrorCode.EVENT_FULL,
  ErrorCode.EVENT_NOT_FULL,
  ErrorCode.ALREADY_WAITLISTED,
  ErrorCode.NOT_WAITLISTED,
]);

/** EVENT_FULL says in its details whether the event takes a waitlist. */
function waitlistAvailable(error: unknown): boolean {
  const details = isBusRemoteError(error) ? error.details : undefined;
  return typeof details === 'object' && details !== null && 'waitlist_available' in details
    ? details.waitlist_available === true
    : false;
}

/**
 * What a member is told when the events service refuses an action, by error code, with the
 * button that is the way forward: the waitlist for a full event, Join for one with seats again.
 */
function refusalOf(params: {
  error: unknown;
  event: EventView;
  offset: number;
  t: Messages;
}): RenderedMessage | undefined {
  const { error, event, offset, t } = params;
  const offer = (kind: 'join' | 'joinWaitlist') =>
    Markup.inlineKeyboard([[eventButton({ kind, event, offset, label: t.events.buttons[kind] })]]);
  switch (busErrorCode(error)) {
    case ErrorCode.EVENT_FULL:
      return waitlistAvailable(error)
        ? { text: t.events.full, markup: offer('joinWaitlist') }
        : { text: t.events.full };
    case ErrorCode.EVENT_NOT_FULL:
      return { text: t.events.notFull, markup: offer('join') };
    case ErrorCode.INSUFFICIENT_COINS:
      return { text: t.events.insufficientCoins({ price: event.price }) };
    case ErrorCode.ALREADY_JOINED:
      return { text: t.events.alreadyJoined };
    case ErrorCode.NOT_JOINED:
      return { text: t.events.notJoined };
    case ErrorCode.ALREADY_WAITLISTED:
      return { text: t.events.alreadyWaitlisted({ position: event.waitlist_position ?? null }) };
    case ErrorCode.NOT_WAITLISTED:
      return { text: t.events.notWaitlisted };
    case ErrorCode.EVENT_NOT_JOINABLE:
      return { text: t.events.notJoinable };
    case ErrorCode.EVENT_NOT_FOUND:
      return { text: t.events.notFound };
    default:
      return undefined;
  }
}

function isNotModified(error: unknown): boolean {
  return error instanceof TelegramError && error.description.includes('message is not modified');
}

/**
 * `/events`: upcoming events a page at a time, with Join / Leave / More buttons per event (a full
 * event offers its waitlist instead of Join, or leaving it to a member in line) and page buttons.
 * Joining answers with the new balance or the reason it failed (a full event: the offer to wait);
 * leaving with the refund; the waitlist with the place in line; More with the description. After
 * an action the list is redrawn (spots left, place in line).
 */
@Injectable()
export class EventsHandler implements OnModuleInit {
  private readonly logger = new Logger(EventsHandler.name);

  constructor(
    private readonly telegram: TelegramBot,
    private readonly members: MembersService,
    private readonly events: EventsService,
    private readonly queue: DeliveryQueue,
  ) {}

  onModuleInit(): void {
    this.telegram.command('events', 'events', (ctx) => this.list(ctx));
    this.telegram.action(new RegExp(`^${EVENTS_CALLBACK_PREFIX}`), 'events', (ctx) =>
      this.button(ctx),
    );
  }

  private async list(ctx: BotContext): Promise<void> {
    const page = await this.pageFor({ offset: 0, memberId: await this.memberIdOf(ctx) });
    const { text, markup } = renderEventsPage({ page, language: ctx.lang, t: ctx.t });
    await ctx.reply(text, { parse_mode: 'HTML', ...markup });
  }

  private async memberIdOf(ctx: BotContext): Promise<string | undefined> {
    return ctx.from ? (await this.members.memberOf(ctx.from)).profile.id : undefined;
  }

  /** A page as the member sees it (their seat or place in line on full events). */
  private pageFor(params: { offset: number; memberId: string | undefined }): Promise<EventPage> {
    const { offset, memberId } = params;
    return memberId === undefined
      ? this.events.upcoming(offset)
      : this.events.upcomingFor({ offset, memberId });
  }

  private async button(ctx: BotContext): Promise<void> {
    const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    const callback = decodeEventsCallback(data);
    if (!callback || !ctx.from) {
      await ctx.answerCbQuery(ctx.t.events.staleButton);
      return;
    }
    if (callback.kind === 'page') {
      await this.showPage(ctx, { offset: callback.offset, memberId: await this.memberIdOf(ctx) });
      await ctx.answerCbQuery();
      return;
    }
    const { profile } = await this.members.memberOf(ctx.from);
    const ids = { eventId: callback.eventId, memberId: profile.id };
    let event: EventView;
    try {
      event = await this.events.get(ids);
    } catch (error) {
      if (busErrorCode(error) !== ErrorCode.EVENT_NOT_FOUND) throw error;
      await this.answer(ctx, { text: ctx.t.events.notFound });
      return;
    }
    if (callback.kind === 'more') {
      await ctx.reply(renderEventDetails({ event, language: ctx.lang, t: ctx.t }), {
        parse_mode: 'HTML',
      });
      await ctx.answerCbQuery();
      return;
    }
    try {
      await this.act({ ctx, kind: callback.kind, ids, title: escapeHtml(event.title) });
    } catch (error) {
      const refusal = refusalOf({ error, event, offset: callback.offset, t: ctx.t });
      if (refusal === undefined) throw error;
      await this.answer(ctx, refusal);
      if (STALE_LIST_CODES.has(busErrorCode(error) ?? '')) {
        await this.refreshList(ctx, { offset: callback.offset, memberId: profile.id });
      }
      return;
    }
    await this.refreshList(ctx, { offset: callback.offset, memberId: profile.id });
  }

  /** Does what the button says and answers with the outcome; a refusal is thrown as it came. */
  private async act(params: {
    ctx: BotContext;
    kind: Exclude<EventAction, 'more'>;
    ids: { eventId: string; memberId: string };
    title: string;
  }): Promise<void> {
    const { ctx, kind, ids, title } = params;
    const t = ctx.t.events;
    switch (kind) {
      case 'join': {
        const { balance, joined_at } = await this.events.join(ids);
        if (await this.answered({ ...ids, kind: NotificationKind.JOINED, at: joined_at })) {
          await ctx.reply(t.joined({ title, balance }), { parse_mode: 'HTML' });
        }
        await ctx.answerCbQuery(t.joinedToast);
        return;
      }
      case 'leave': {
        const { refunded, balance, left_at } = await this.events.leave(ids);
        if (await this.answered({ ...ids, kind: NotificationKind.LEFT, at: left_at })) {
          await ctx.reply(t.left({ title, refunded, balance }), { parse_mode: 'HTML' });
        }
        await ctx.answerCbQuery(t.leftToast);
        return;
      }
      case 'joinWaitlist': {
        const { position } = await this.events.joinWaitlist(ids);
        await ctx.reply(t.waitlisted({ title, position }), { parse_mode: 'HTML' });
        await ctx.answerCbQuery(t.waitlistedToast);
        return;
      }
      case 'leaveWaitlist': {
        await this.events.leaveWaitlist(ids);
        await ctx.reply(t.leftWaitlist({ title }), { parse_mode: 'HTML' });
        await ctx.answerCbQuery(t.leftWaitlistToast);
        return;
      }
    }
  }

  /**
   * The reply tells the member what the `joined` / `left` notification would, and both share one
   * idempotency key, so the member gets exactly one of them: true when the key was free (answer
   * here; the notification is then not sent), false when the notification already holds it (it
   * is, or will be, the answer). If Redis cannot say, answer here: two messages beat none.
   */
  private async answered(p: {
    eventId: string;
    memberId: string;
    kind: typeof NotificationKind.JOINED | typeof NotificationKind.LEFT;
    at: string;
  }): Promise<boolean> {
    try {
      return (await this.queue.markAnswered([seatKey(p)])) > 0;
    } catch (error) {
      this.logger.warn({ err: error, ...p }, 'Could not record an answered notification');
      return true;
    }
  }

  /** A refusal: as a toast on the button and as a message that stays in the chat. */
  private async answer(ctx: BotContext, { text, markup }: RenderedMessage): Promise<void> {
    await ctx.reply(text, { parse_mode: 'HTML', ...markup });
    await ctx.answerCbQuery(text.length <= 200 ? text : undefined);
  }

  private async showPage(
    ctx: BotContext,
    params: { offset: number; memberId: string | undefined },
  ): Promise<void> {
    const page = await this.pageFor(params);
    const { text, markup } = renderEventsPage({ page, language: ctx.lang, t: ctx.t });
    try {
      await ctx.editMessageText(text, { parse_mode: 'HTML', ...markup });
    } catch (error) {
      // Pressing the page the member is already on changes nothing; Telegram says so with a 400.
      if (!isNotModified(error)) throw error;
    }
  }

  /** Redraws the list an action came from; the answer was already given, so failures only log. */
  private async refreshList(
    ctx: BotContext,
    params: { offset: number; memberId: string },
  ): Promise<void> {
    try {
      await this.showPage(ctx, params);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not refresh the events list after an action');
    }
  }
}
