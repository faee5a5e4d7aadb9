import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { TelegramError } from 'telegraf';
import { ErrorCode, EventView } from '@up/contracts';
import { escapeHtml, Messages } from '../i18n/i18n';
import { MembersService } from '../members/members.service';
import type { BotContext } from '../telegram/bot-context';
import { busErrorCode } from '../telegram/bot-failures';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { decodeEventsCallback, EVENTS_CALLBACK_PREFIX } from './events.callback-data';
import { renderEventDetails, renderEventsPage } from './events.format';
import { EventsService } from './events.service';

/** What a member is told when the events service refuses a join or leave, by error code. */
function refusalText(params: {
  code: string | undefined;
  event: EventView;
  t: Messages;
}): string | undefined {
  const { code, event, t } = params;
  switch (code) {
    case ErrorCode.EVENT_FULL:
      return t.events.full;
    case ErrorCode.INSUFFICIENT_COINS:
      return t.events.insufficientCoins({ price: event.price });
    case ErrorCode.ALREADY_JOINED:
      return t.events.alreadyJoined;
    case ErrorCode.NOT_JOINED:
      return t.events.notJoined;
    case ErrorCode.EVENT_NOT_JOINABLE:
      return t.events.notJoinable;
    case ErrorCode.EVENT_NOT_FOUND:
      return t.events.notFound;
    default:
      return undefined;
  }
}

function isNotModified(error: unknown): boolean {
  return error instanceof TelegramError && error.description.includes('message is not modified');
}

/**
 * `/events`: upcoming events a page at a time, with Join / Leave / More buttons per event and
 * page buttons. Joining answers with the new balance or the reason it failed; leaving with the
 * refund; More with the description. After a join or leave the list is redrawn (spots left).
 */
@Injectable()
export class EventsHandler implements OnModuleInit {
  private readonly logger = new Logger(EventsHandler.name);

  constructor(
    private readonly telegram: TelegramBot,
    private readonly members: MembersService,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    this.telegram.command('events', 'events', (ctx) => this.list(ctx));
    this.telegram.action(new RegExp(`^${EVENTS_CALLBACK_PREFIX}`), 'events', (ctx) =>
      this.button(ctx),
    );
  }

  private async list(ctx: BotContext): Promise<void> {
    const page = await this.events.upcoming(0);
    const { text, markup } = renderEventsPage({ page, language: ctx.lang, t: ctx.t });
    await ctx.reply(text, { parse_mode: 'HTML', ...markup });
  }

  private async button(ctx: BotContext): Promise<void> {
    const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    const callback = decodeEventsCallback(data);
    if (!callback || !ctx.from) {
      await ctx.answerCbQuery(ctx.t.events.staleButton);
      return;
    }
    if (callback.kind === 'page') {
      await this.showPage(ctx, callback.offset);
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
      await this.answer(ctx, ctx.t.events.notFound);
      return;
    }
    if (callback.kind === 'more') {
      await ctx.reply(renderEventDetails({ event, language: ctx.lang, t: ctx.t }), {
        parse_mode: 'HTML',
      });
      await ctx.answerCbQuery();
      return;
    }
    const title = escapeHtml(event.title);
    try {
      if (callback.kind === 'join') {
        const { balance } = await this.events.join(ids);
        await ctx.reply(ctx.t.events.joined({ title, balance }), { parse_mode: 'HTML' });
        await ctx.answerCbQuery(ctx.t.events.joinedToast);
      } else {
        const { refunded, balance } = await this.events.leave(ids);
        await ctx.reply(ctx.t.events.left({ title, refunded, balance }), { parse_mode: 'HTML' });
        await ctx.answerCbQuery(ctx.t.events.leftToast);
      }
    } catch (error) {
      const refusal = refusalText({ code: busErrorCode(error), event, t: ctx.t });
      if (refusal === undefined) throw error;
      await this.answer(ctx, refusal);
      return;
    }
    await this.refreshList(ctx, callback.offset);
  }

  /** A refusal: as a toast on the button and as a message that stays in the chat. */
  private async answer(ctx: BotContext, text: string): Promise<void> {
    await ctx.reply(text, { parse_mode: 'HTML' });
    await ctx.answerCbQuery(text.length <= 200 ? text : undefined);
  }

  private async showPage(ctx: BotContext, offset: number): Promise<void> {
    const page = await this.events.upcoming(offset);
    const { text, markup } = renderEventsPage({ page, language: ctx.lang, t: ctx.t });
    try {
      await ctx.editMessageText(text, { parse_mode: 'HTML', ...markup });
    } catch (error) {
      // Pressing the page the member is already on changes nothing; Telegram says so with a 400.
      if (!isNotModified(error)) throw error;
    }
  }

  /** Redraws the list a join or leave came from; the answer was already given, so failures only log. */
  private async refreshList(ctx: BotContext, offset: number): Promise<void> {
    try {
      await this.showPage(ctx, offset);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not refresh the events list after a join or leave');
    }
  }
}
