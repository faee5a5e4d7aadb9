import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { messagesFor } from '../i18n/i18n';
import type { BotContext } from '../telegram/bot-context';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { MembersService } from './members.service';

/**
 * Before every update: the member's own language (their setting, see /settings) replaces the one
 * guessed from their Telegram client, and a member Telegram had refused messages to (they blocked
 * the bot) is reachable again now that they write. Both come from the profile cache, so a known
 * member costs no bus call; a failure only leaves the defaults.
 */
@Injectable()
export class MemberContext implements OnModuleInit {
  private readonly logger = new Logger(MemberContext.name);

  constructor(
    private readonly telegram: TelegramBot,
    private readonly members: MembersService,
  ) {}

  onModuleInit(): void {
    this.telegram.prepare((ctx) => this.prepare(ctx));
  }

  async prepare(ctx: BotContext): Promise<void> {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    const member = await this.members.lookup(from.id);
    const target = member?.target;
    if (!target) return;
    ctx.lang = target.language;
    ctx.t = messagesFor(target.language);
    if (!target.reachable) {
      // Not awaited: the member's answer does not wait for the bookkeeping.
      this.members.markReachable(from.id).catch((error: unknown) => {
        this.logger.warn({ err: error, telegramId: from.id }, 'Could not mark a member reachable');
      });
    }
  }
}
