import type { QueuedMail } from './mail-outbox.repository';
import type { MailLanguage } from './mail-language';

/** What the mail templates need: whom it goes to, in which language, and the link it carries. */
export interface AccountMailInput {
  to: string;
  name: string;
  language: MailLanguage;
  link: string;
}

interface Texts {
  subject: string;
  greeting: (name: string) => string;
  body: string;
  action: string;
  ignore: string;
}

const VERIFY: Record<MailLanguage, Texts> = {
  en: {
    subject: 'Confirm your email for UP Club',
    greeting: (name) => `Hello, ${name}!`,
    body: 'Confirm this address for your UP Club account. The link works once, for 24 hours.',
    action: 'Confirm email',
    ignore: 'If you did not ask for this, ignore this mail: nothing changes.',
  },
  ru: {
    subject: 'Подтвердите почту для UP Club',
    greeting: (name) => `Здравствуйте, ${name}!`,
    body: 'Подтвердите этот адрес для аккаунта UP Club. Ссылка действует один раз, 24 часа.',
    action: 'Подтвердить почту',
    ignore: 'Если вы об этом не просили, просто не обращайте внимания на это письмо.',
  },
};

/**
 * Verification of an address another member holds, asked for by a Telegram member: following the
 * link merges that member into the asker's (docs/api.md, one member across Telegram and email), so
 * the mail says so before anybody follows it.
 */
const VERIFY_AND_MERGE: Record<MailLanguage, Texts> = {
  en: {
    subject: 'Join your UP Club accounts into one',
    greeting: (name) => `Hello, ${name}!`,
    body: 'Your Telegram account in UP Club asked to use this address, which already has an UP Club account. Following the link proves both are yours and joins this address’s account into the Telegram one: its coins, events, referrals and achievements move there, and you sign in to it with this email and its password. This cannot be undone. The link works once, for 24 hours.',
    action: 'Join the accounts',
    ignore: 'If you did not ask for this, ignore this mail: both accounts stay as they are.',
  },
  ru: {
    subject: 'Объединение аккаунтов UP Club',
    greeting: (name) => `Здравствуйте, ${name}!`,
    body: 'Ваш Telegram-аккаунт в UP Club запросил этот адрес, у которого уже есть аккаунт UP Club. Переход по ссылке подтверждает, что оба аккаунта ваши, и объединяет аккаунт этого адреса с Telegram-аккаунтом: монеты, мероприятия, рефералы и достижения переходят туда, а входить можно будет с этой почтой и её паролем. Отменить это нельзя. Ссылка действует один раз, 24 часа.',
    action: 'Объединить аккаунты',
    ignore:
      'Если вы об этом не просили, не обращайте внимания на письмо: оба аккаунта останутся как есть.',
  },
};

const RESET: Record<MailLanguage, Texts> = {
  en: {
    subject: 'Reset your UP Club password',
    greeting: (name) => `Hello, ${name}!`,
    body: 'Set a new password for your UP Club account. The link works once, for 1 hour; every device you are signed in on will be signed out.',
    action: 'Set a new password',
    ignore: 'If you did not ask for this, ignore this mail: your password stays as it is.',
  },
  ru: {
    subject: 'Сброс пароля UP Club',
    greeting: (name) => `Здравствуйте, ${name}!`,
    body: 'Задайте новый пароль для аккаунта UP Club. Ссылка действует один раз, 1 час; на всех устройствах придётся войти заново.',
    action: 'Задать новый пароль',
    ignore:
      'Если вы об этом не просили, не обращайте внимания на письмо: пароль останется прежним.',
  },
};

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function render(kind: string, texts: Texts, input: AccountMailInput): QueuedMail {
  const greeting = texts.greeting(input.name);
  const text = [
    greeting,
    '',
    texts.body,
    '',
    `${texts.action}: ${input.link}`,
    '',
    texts.ignore,
    '',
    'UP Club',
  ].join('\n');
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(texts.body)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">${escapeHtml(texts.action)}</a></p>`,
    `<p style="color:#666">${escapeHtml(texts.ignore)}</p>`,
    '<p>UP Club</p>',
  ].join('\n');
  return { kind, to: input.to, subject: texts.subject, text, html };
}

/** The verification mail; `merges` when following it merges the address's member (see above). */
export function verificationMail(input: AccountMailInput & { merges?: boolean }): QueuedMail {
  const texts = input.merges ? VERIFY_AND_MERGE : VERIFY;
  return render('email_verification', texts[input.language], input);
}

export function passwordResetMail(input: AccountMailInput): QueuedMail {
  return render('password_reset', RESET[input.language], input);
}
