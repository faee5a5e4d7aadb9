import { Injectable, OnModuleInit } from '@nestjs/common';
import { MembersService } from '../members/members.service';
import type { BotContext } from '../telegram/bot-context';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { renderProfile } from './profile.format';

/** `/profile`: the member's private profile and their invitation link. */
@Injectable()
export class ProfileHandler implements OnModuleInit {
  constructor(
    private readonly telegram: TelegramBot,
    private readonly members: MembersService,
  ) {}

  onModuleInit(): void {
    this.telegram.command('profile', 'profile', (ctx) => this.show(ctx));
  }

  private async show(ctx: BotContext): Promise<void> {
    if (!ctx.from) return;
    const { profile } = await this.members.memberOf(ctx.from);
    const text = renderProfile({ profile, botUsername: ctx.botInfo.username, t: ctx.t });
    await ctx.reply(text, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  }
}
