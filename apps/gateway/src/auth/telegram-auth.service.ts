import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';
import {
  TelegramCheckOptions,
  verifyInitData,
  verifyLoginWidget,
  VerifiedTelegramData,
} from './telegram-auth';

/** Telegram sign-in checks bound to the gateway's bot token and age limit. */
@Injectable()
export class TelegramAuthService {
  constructor(private readonly config: GatewayConfig) {}

  verifyLoginWidget(body: Record<string, unknown>): VerifiedTelegramData {
    return verifyLoginWidget(body, this.options());
  }

  verifyInitData(initData: string): VerifiedTelegramData {
    return verifyInitData(initData, this.options());
  }

  private options(): TelegramCheckOptions {
    const botToken = this.config.TELEGRAM_BOT_TOKEN;
    if (!botToken) {
      throw new DomainError(
        ErrorCode.SERVICE_UNAVAILABLE,
        'Telegram sign-in is not configured on this server (TELEGRAM_BOT_TOKEN)',
      );
    }
    return { botToken, maxAgeSeconds: this.config.TELEGRAM_AUTH_MAX_AGE_SECONDS };
  }
}
