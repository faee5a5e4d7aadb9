import { mailLanguageOf } from './mail-language';
import { passwordResetMail, verificationMail } from './mail-templates';
import { retryDelayMs } from './mail-sender';

describe(mailLanguageOf.name, () => {
  it('is English for en* and Russian otherwise, the member’s own setting first', () => {
    expect(mailLanguageOf({ languageCode: 'en-GB' })).toBe('en');
    expect(mailLanguageOf({ languageCode: 'ru' })).toBe('ru');
    expect(mailLanguageOf({ languageCode: 'de' })).toBe('ru');
    expect(mailLanguageOf({ languageCode: null })).toBe('ru');
    expect(mailLanguageOf({ languageCode: 'ru', language: 'en' })).toBe('en');
  });
});

describe(verificationMail.name, () => {
  const link = 'https://club.example/auth/verify?token=abc_DEF-123';

  it('carries the link in text and HTML, in the member’s language, escaping the name', () => {
    const en = verificationMail({ to: 'a@example.org', name: 'Ada <b>', language: 'en', link });
    expect(en).toMatchObject({ kind: 'email_verification', to: 'a@example.org' });
    expect(en.subject).toMatch(/Confirm/);
    expect(en.text).toContain(link);
    expect(en.html).toContain(`href="${link}"`);
    expect(en.html).toContain('Ada &lt;b&gt;');
    const ru = verificationMail({ to: 'a@example.org', name: 'Ада', language: 'ru', link });
    expect(ru.subject).toMatch(/Подтвердите/);
    expect(ru.text).toContain(link);
  });

  it('says that following it merges the accounts when it does', () => {
    const merge = verificationMail({
      to: 'a@example.org',
      name: 'Tg',
      language: 'en',
      link,
      merges: true,
    });
    expect(merge.kind).toBe('email_verification');
    expect(merge.subject).toMatch(/Join your UP Club accounts/);
    expect(merge.text).toMatch(/joins this address’s account into the Telegram one/);
    expect(merge.text).toContain(link);
    const ru = verificationMail({
      to: 'a@example.org',
      name: 'Tg',
      language: 'ru',
      link,
      merges: true,
    });
    expect(ru.subject).toMatch(/Объединение/);
    expect(
      verificationMail({ to: 'a@example.org', name: 'Tg', language: 'en', link }).subject,
    ).not.toMatch(/Join/);
  });

  it('has a reset kind of its own', () => {
    const reset = passwordResetMail({ to: 'a@example.org', name: 'Ada', language: 'en', link });
    expect(reset.kind).toBe('password_reset');
    expect(reset.subject).toMatch(/password/);
  });
});

describe(retryDelayMs.name, () => {
  it('doubles from the minimum up to the maximum, never giving up', () => {
    const config = { min: 100, max: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((n) => retryDelayMs(n, config))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});
