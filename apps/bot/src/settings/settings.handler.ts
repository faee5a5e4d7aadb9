import { Injectable, OnModuleInit } from '@nestjs/common';
import { TelegramError } from 'telegraf';
import { BusClient } from '@up/bus';
import { NotificationSettings, UpdateNotificationSettingsDto, USERS } from '@up/contracts';
import { messagesFor } from '../i18n/i18n';
import { MembersService } from '../members/members.service';
import { ProfileInvalidation } from '../members/profile-invalidation';
import type { BotContext } from '../telegram/bot-context';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { decodeSettingsCallback, SETTINGS_CALLBACK_PREFIX } from './settings.callback-data';
import { renderSettings } from './settings.format';

function isNotModified(error: unknown): boolean {
  return error instanceof TelegramError && error.description.includes('message is not modified');
}

/**
 * `/settings`: announcements on/off, reminders on/off and the bot's language, each a button that
 * sets it in the users service (which the web's `/api/users/me/notifications` reads too) and
 * redraws the message in place.
 */
@Injectable()
export class SettingsHandler implements OnModuleInit {
  constructor(
    private readonly telegram: TelegramBot,
    private readonly members: MembersService,
    private readonly bus: BusClient,
    private readonly invalidation: ProfileInvalidation,
  ) {}

  onModuleInit(): void {
    this.telegram.command('settings', 'settings', (ctx) => this.show(ctx));
    this.telegram.action(new RegExp(`^${SETTINGS_CALLBACK_PREFIX}`), 'settings', (ctx) =>
      this.change(ctx),
    );
  }

  private async show(ctx: BotContext): Promise<void> {
    if (!ctx.from) return;
    const { profile } = await this.members.memberOf(ctx.from);
    const settings = await this.bus.send(USERS.GET_NOTIFICATION_SETTINGS, {
      member_id: profile.id,
    });
    const { text, markup } = renderSettings(settings);
    await ctx.reply(text, { parse_mode: 'HTML', ...markup });
  }

  private async change(ctx: BotContext): Promise<void> {
    const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    const change = decodeSettingsCallback(data);
    if (!change || !ctx.from) {
      await ctx.answerCbQuery(ctx.t.errors.unknownButton);
      return;
    }
    const { profile } = await this.members.memberOf(ctx.from);
    const request: UpdateNotificationSettingsDto =
      change.setting === 'language'
        ? { member_id: profile.id, language: change.language }
        : { member_id: profile.id, [change.setting]: change.on };
    const settings: NotificationSettings = await this.bus.send(
      USERS.UPDATE_NOTIFICATION_SETTINGS,
      request,
    );
    // The next answer, on any replica, is in the new language (member.updated does it too, later).
    await this.invalidation.publish({ memberId: profile.id, telegramId: ctx.from.id });
    const { text, markup } = renderSettings(settings);
    try {
      await ctx.editMessageText(text, { parse_mode: 'HTML', ...markup });
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
    await ctx.answerCbQuery(messagesFor(settings.language).settings.saved);
  }
}
