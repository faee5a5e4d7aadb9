import { messagesFor } from '../i18n/i18n';
import { isButtonUrl, renderLoginReply } from './login.format';

describe(renderLoginReply.name, () => {
  const t = messagesFor('en');

  it('answers with a URL button that opens the link, saying it works once and for 10 minutes', () => {
    const url = 'https://club.example/auth/callback?code=abc';
    const { text, markup } = renderLoginReply({ url, minutes: 10, t });
    expect(text).toBe(t.login.text({ minutes: 10 }));
    expect(text).toMatch(/once.*10 minutes/s);
    expect(markup?.reply_markup.inline_keyboard).toEqual([
      [expect.objectContaining({ text: 'Sign in', url })],
    ]);
  });

  it('puts the link in the text where Telegram would refuse the button (local development)', () => {
    const url = 'http://localhost:5173/auth/callback?code=abc';
    const { text, markup } = renderLoginReply({ url, minutes: 10, t });
    expect(markup).toBeUndefined();
    expect(text.endsWith(url)).toBe(true);
  });

  it.each([
    ['https://club.example/x', true],
    ['http://app.up-club.ru:8080/x', true],
    ['http://localhost:5173/x', false],
    ['http://127.0.0.1:3000/x', false],
    ['http://intranet/x', false],
    ['http://[::1]:3000/x', false],
  ])('%s can be a button: %s', (url, expected) => {
    expect(isButtonUrl(url)).toBe(expected);
  });
});
