import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@up/contracts';
import { GatewayConfig } from '../config/gateway.config';
import { AuthRedis } from './auth-redis';
import {
  invalidTelegramAuth,
  TelegramCheckOptions,
  verifyInitData,
  verifyLoginWidget,
  VerifiedTelegramData,
} from './telegram-auth';

/**
 * Telegram sign-in checks bound to the gateway's bot token and age limit, and each accepted
 * payload good for one use. Telegram's signature stays valid for as long as the data is accepted
 * (TELEGRAM_AUTH_MAX_AGE_SECONDS, a day by default), so a copy of it (a proxy log, a browser
 * history, a shared screenshot of init data) would otherwise sign its owner in again for that
 * long. The first use remembers the payload's hash in Redis (`<prefix>:gateway:telegram-used:…`,
 * SET NX) until the payload would be refused as too old anyway; any other use is refused like a
 * forged one. Widget data and Mini App init data are signed with different keys, so each has its
 * own key space.
 *
 * Mini App init data is accepted only by `generate-code`, and a code is a sign-in, so init data is
 * single use there too: allowing repeats would leave a replayed init data a way in for a day. A
 * Mini App calls `generate-code` with its init data once, exchanges the code for tokens, and uses
 * its access token (`Authorization: Bearer`) for any later code.
 */
@Injectable()
export class TelegramAuthService {
  constructor(
    private readonly config: GatewayConfig,
    private readonly redis: AuthRedis,
  ) {}

  async verifyLoginWidget(body: Record<string, unknown>): Promise<VerifiedTelegramData> {
    const verified = verifyLoginWidget(body, this.options());
    await this.useOnce('widget', verified);
    return verified;
  }

  async verifyInitData(initData: string): Promise<VerifiedTelegramData> {
    const verified = verifyInitData(initData, this.options());
    await this.useOnce('init-data', verified);
    return verified;
  }

  private async useOnce(kind: string, verified: VerifiedTelegramData): Promise<void> {
    const age = Math.floor(Date.now() / 1000) - verified.auth_date;
    // Until it would be too old; at least a second (an auth_date slightly ahead lives longer).
    const ttl = Math.max(1, this.config.TELEGRAM_AUTH_MAX_AGE_SECONDS - age + 1);
    const key = this.redis.key(`telegram-used:${kind}:${verified.hash}`);
    const first = await this.redis.client.set(key, '1', 'EX', ttl, 'NX');
    if (first !== 'OK')
      throw invalidTelegramAuth('This Telegram authentication data was already used');
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
