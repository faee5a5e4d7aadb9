/**
 * What Telegram does with `parse_mode: 'HTML'`: it checks the markup and shows the plain text. The
 * fake does the same so tests read what a member would see, and so a bot that forgets to escape a
 * `<` from user data fails here as it would against Telegram ("can't parse entities").
 */
const SUPPORTED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'tg-spoiler',
  'span',
  'blockquote',
  'tg-emoji',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

export class FormattedTextError extends Error {}

export function plainTextOf(text: string, parseMode: unknown): string {
  if (parseMode !== 'HTML') return text;
  const open: string[] = [];
  const stripped = text.replace(
    /<(\/?)([a-zA-Z-]*)([^<>]*)>|</g,
    (match, closing: string, tag: string) => {
      if (match === '<' || !tag) {
        throw new FormattedTextError(
          `Bad Request: can't parse entities: unexpected "<" in "${text.slice(0, 80)}"`,
        );
      }
      const name = tag.toLowerCase();
      if (!SUPPORTED_TAGS.has(name)) {
        throw new FormattedTextError(
          `Bad Request: can't parse entities: Unsupported start tag "${name}"`,
        );
      }
      if (closing) {
        if (open.pop() !== name) {
          throw new FormattedTextError(
            `Bad Request: can't parse entities: Unmatched end tag "${name}"`,
          );
        }
      } else {
        open.push(name);
      }
      return '';
    },
  );
  if (open.length > 0) {
    throw new FormattedTextError(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${open[open.length - 1]}"`,
    );
  }
  return stripped.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return NAMED_ENTITIES[entity] ?? match;
  });
}
