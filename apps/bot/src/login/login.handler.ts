import { Injectable, OnModuleInit } from '@nestjs/common';
import { Input } from 'telegraf';
import type { BotContext } from '../telegram/bot-context';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { renderLoginReply } from './login.format';
import { LoginRateLimit } from './login-rate-limit';
import { LoginService } from './login.service';

/** `/login`: a sign-in button for the web app; `/qr`: the same link as a QR code for another device. */
@Injectable()
export class LoginHandler implements OnModuleInit {
  constructor(
    private readonly telegram: TelegramBot,
    private readonly login: LoginService,
    private readonly limit: LoginRateLimit,
  ) {}

  onModuleInit(): void {
    this.telegram.command('login', 'login', (ctx) => this.sendButton(ctx));
    this.telegram.command('qr', 'login', (ctx) => this.sendQr(ctx));
  }

  private async sendButton(ctx: BotContext): Promise<void> {
    if (!ctx.from || (await this.overLimit(ctx, ctx.from.id))) return;
    const { url, minutes } = await this.login.linkFor(ctx.from);
    const { text, markup } = renderLoginReply({ url, minutes, t: ctx.t });
    await ctx.reply(text, { ...markup, link_preview_options: { is_disabled: true } });
  }

  private async sendQr(ctx: BotContext): Promise<void> {
    if (!ctx.from || (await this.overLimit(ctx, ctx.from.id))) return;
    const { url, minutes } = await this.login.linkFor(ctx.from);
    const png = await this.login.qrPng(url);
    await ctx.replyWithPhoto(Input.fromBuffer(png, 'login-qr.png'), {
      caption: ctx.t.login.qrCaption({ minutes }),
    });
  }

  /** Over RATE_LIMIT_BOT_LOGIN_PER_MINUTE: says when to ask again, in the member's language. */
  private async overLimit(ctx: BotContext, telegramId: number): Promise<boolean> {
    const seconds = await this.limit.take(telegramId);
    if (seconds === 0) return false;
    await ctx.reply(ctx.t.login.tooMany({ seconds }));
    return true;
  }
}
