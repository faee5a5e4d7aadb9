import { Injectable, OnModuleInit } from '@nestjs/common';
import { Input, Markup } from 'telegraf';
import type { BotContext } from '../telegram/bot-context';
import { TelegramBot } from '../telegram/telegram-bot.service';
import { LoginService } from './login.service';

/** `/login`: a sign-in button for the web app; `/qr`: the same link as a QR code for another device. */
@Injectable()
export class LoginHandler implements OnModuleInit {
  constructor(
    private readonly telegram: TelegramBot,
    private readonly login: LoginService,
  ) {}

  onModuleInit(): void {
    this.telegram.command('login', 'login', (ctx) => this.sendButton(ctx));
    this.telegram.command('qr', 'login', (ctx) => this.sendQr(ctx));
  }

  private async sendButton(ctx: BotContext): Promise<void> {
    if (!ctx.from) return;
    const { url, minutes } = await this.login.linkFor(ctx.from);
    await ctx.reply(
      ctx.t.login.text({ minutes }),
      Markup.inlineKeyboard([Markup.button.url(ctx.t.login.button, url)]),
    );
  }

  private async sendQr(ctx: BotContext): Promise<void> {
    if (!ctx.from) return;
    const { url, minutes } = await this.login.linkFor(ctx.from);
    const png = await this.login.qrPng(url);
    await ctx.replyWithPhoto(Input.fromBuffer(png, 'login-qr.png'), {
      caption: ctx.t.login.qrCaption({ minutes }),
    });
  }
}
