import { Matches } from 'class-validator';
import { IsStrongSecret } from './strong-secret';

/**
 * The token @BotFather issues: the bot's numeric id, a colon, and 35 characters of [A-Za-z0-9_-]
 * (Telegram generates them, so their format, not an entropy estimate, says whether one is real).
 * Production accepts 30 to 64 characters after the colon, so a change of length on Telegram's side
 * does not stop a deployment, while `123:abc` and placeholders are refused.
 */
const PRODUCTION_FORMAT = /^\d{5,20}:[A-Za-z0-9_-]{30,64}$/;

/** The example token of Telegram's Bot API documentation: public, never a real bot's. */
const DOCUMENTATION_TOKEN = '123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11';

/** A Telegram bot token: any `<digits>:<token>` outside production, a real one's shape in production. */
export function IsTelegramBotToken(): PropertyDecorator {
  const shape = Matches(/^\d+:[A-Za-z0-9_-]+$/, {
    message: 'TELEGRAM_BOT_TOKEN must look like 123456:ABC-def',
  });
  const real = IsStrongSecret({
    // The bot's id before the colon is public; the part after it is the secret.
    in: (token) => token.slice(token.indexOf(':') + 1),
    minBits: 0,
    format: { pattern: PRODUCTION_FORMAT, description: '<bot id>:<35 characters from @BotFather>' },
    knownPublic: [DOCUMENTATION_TOKEN],
  });
  return (target, property) => {
    shape(target, property);
    real(target, property);
  };
}
