import { CATALOGUES, escapeHtml, languageOf, LANGUAGES } from './i18n';

/** Every key path of a catalogue, with the kind of value (text or function and its arity). */
function shape(node: unknown, path = ''): Record<string, string> {
  if (typeof node === 'function') return { [path]: `function/${node.length}` };
  if (typeof node === 'string') return { [path]: 'text' };
  return Object.entries(node as Record<string, unknown>).reduce<Record<string, string>>(
    (acc, [key, value]) => ({ ...acc, ...shape(value, path ? `${path}.${key}` : key) }),
    {},
  );
}

function texts(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (typeof node === 'function') return [];
  return Object.values(node as Record<string, unknown>).flatMap(texts);
}

describe('i18n', () => {
  it('has the same keys, of the same kinds, in every language', () => {
    const [first, ...others] = LANGUAGES;
    for (const language of others) {
      expect(shape(CATALOGUES[language])).toEqual(shape(CATALOGUES[first]));
    }
  });

  it('has no empty text in any language', () => {
    for (const language of LANGUAGES) {
      for (const text of texts(CATALOGUES[language])) expect(text.trim()).not.toBe('');
    }
  });

  it('answers in English for English Telegram clients and in Russian otherwise', () => {
    expect(languageOf('en')).toBe('en');
    expect(languageOf('en-US')).toBe('en');
    expect(languageOf('ru')).toBe('ru');
    expect(languageOf('de')).toBe('ru');
    expect(languageOf(undefined)).toBe('ru');
  });

  it('says a login link works once and for the given minutes in both languages', () => {
    expect(CATALOGUES.en.login.text({ minutes: 10 })).toMatch(/once.*10 minutes/s);
    expect(CATALOGUES.ru.login.text({ minutes: 10 })).toMatch(/один раз.*10 минут/s);
  });

  it('escapes what members typed for the HTML parse mode', () => {
    expect(escapeHtml('Tom & Jerry <3 >_<')).toBe('Tom &amp; Jerry &lt;3 &gt;_&lt;');
  });
});
