import { Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import type { BotCommand } from 'telegraf/types';
import { CATALOGUES, Language } from '../i18n/i18n';
import { Backoff, pause } from './backoff';
import { describeFailure, isBadRequest, isUnauthorized, retryAfterMs } from './telegram-api-errors';
import { countTelegramFailure } from './telegram.metrics';

/** The commands offered in Telegram's menu, in this order. */
export const MENU_COMMANDS = [
  'start',
  'login',
  'qr',
  'profile',
  'events',
  'settings',
  'help',
] as const;

interface Decoration {
  name: string;
  apply: (telegram: Telegram) => Promise<unknown>;
}

function menu(language: Language): BotCommand[] {
  return MENU_COMMANDS.map((command) => ({
    command,
    description: CATALOGUES[language].commands[command],
  }));
}

/** The default list is Russian (the club's language); English clients get their own. */
const DECORATIONS: Decoration[] = [
  { name: 'setMyCommands (ru, default)', apply: (t) => t.setMyCommands(menu('ru')) },
  {
    name: 'setMyCommands (en)',
    apply: (t) => t.setMyCommands(menu('en'), { language_code: 'en' }),
  },
];

/**
 * What only decorates the bot in Telegram's apps (the command menu). Applied in the background
 * while the bot already serves updates, each call retried with backoff (Telegram answers 429 to
 * these during busy deploys): their failure never keeps the bot from answering members. A 400 is
 * a mistake in the call itself and is logged once instead of retried; a 401 ends the attempt
 * quietly (receiving updates reports the refused token).
 */
export class BotDecorations {
  private readonly logger = new Logger(BotDecorations.name);

  constructor(private readonly telegram: Telegram) {}

  async apply(signal: AbortSignal): Promise<void> {
    for (const decoration of DECORATIONS) {
      const backoff = new Backoff();
      while (!signal.aborted) {
        try {
          await decoration.apply(this.telegram);
          break;
        } catch (error) {
          if (signal.aborted || isUnauthorized(error)) return;
          if (isBadRequest(error)) {
            this.logger.error({ reason: describeFailure(error) }, `${decoration.name} refused`);
            break;
          }
          countTelegramFailure('decorations', error);
          const delay = Math.max(backoff.next(), retryAfterMs(error));
          this.logger.warn(
            { reason: describeFailure(error), attempt: backoff.attempts, retryInMs: delay },
            `${decoration.name} failed; retrying in the background`,
          );
          await pause(delay, signal);
        }
      }
    }
  }
}
