import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import type { User } from 'telegraf/types';
import { BusClient } from '@up/bus';
import { AUTH } from '@up/contracts';
import { BotConfig } from '../config/bot.config';
import { MembersService } from '../members/members.service';

export interface LoginLink {
  url: string;
  /** How long the code inside stays valid, in whole minutes. */
  minutes: number;
}

/** One-time sign-in links for the web app: `<WEB_APP_URL>/auth/callback?code=<code>`. */
@Injectable()
export class LoginService {
  constructor(
    private readonly bus: BusClient,
    private readonly members: MembersService,
    private readonly config: BotConfig,
  ) {}

  async linkFor(from: User): Promise<LoginLink> {
    const { profile } = await this.members.memberOf(from);
    // Bound to the Telegram id: a redemption naming another Telegram account is refused.
    const { code, expires_in } = await this.bus.send(AUTH.ISSUE_LOGIN_CODE, {
      member_id: profile.id,
      telegram_id: from.id,
    });
    const base = this.config.WEB_APP_URL.replace(/\/+$/, '');
    return {
      url: `${base}/auth/callback?code=${encodeURIComponent(code)}`,
      minutes: Math.max(1, Math.round(expires_in / 60)),
    };
  }

  /** The link as a QR code PNG, large enough to scan from a phone screen. */
  qrPng(url: string): Promise<Buffer> {
    return QRCode.toBuffer(url, {
      type: 'png',
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 512,
      // pngjs's PNG "Up" filter (an option @types/qrcode omits): a QR code's pixel rows repeat
      // for the height of each module, so it compresses nearly as well as the adaptive choice,
      // which tries all five filters on every row, at a fraction of the cost.
      rendererOpts: { filterType: 2 } as QRCode.QRCodeToBufferOptions['rendererOpts'],
    });
  }
}
