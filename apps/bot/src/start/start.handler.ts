import { Injectable, OnModuleInit } from '@nestjs/common';
import { escapeHtml } from '../i18n/i18n';
import { MembersService } from '../members/members.service';
import type { BotContext } from '../telegram/bot-context';
import { TelegramBot } from '../telegram/telegram-bot.service';

/** `/start [UP-XXXXXX]`: joins the club (or refreshes the member's Telegram names); `/help`. */
@Injectable()
export class StartHandler implements OnModuleInit {
  constructor(
    private readonly telegram: TelegramBot,
    private readonly members: MembersService,
  ) {}

  onModuleInit(): void {
    this.telegram.command('start', 'start', (ctx, payload) => this.start(ctx, payload));
    this.telegram.command('help', 'start', async (ctx) => {
      await ctx.reply(ctx.t.start.help);
    });
  }

  private async start(ctx: BotContext, payload: string): Promise<void> {
    if (!ctx.from) return;
    // The users service decides whether the referral counts (new member, known code, not their own).
    const { profile, created, referral_applied } = await this.members.upsert(ctx.from, payload);
    const name = escapeHtml(profile.first_name ?? profile.full_name);
    const lines = [created ? ctx.t.start.welcomeNew({ name }) : ctx.t.start.welcomeBack({ name })];
    if (referral_applied) lines.push(ctx.t.start.referralApplied);
    await ctx.reply(lines.join('\n\n'), { parse_mode: 'HTML' });
  }
}
