import type { FastifyInstance } from 'fastify';
import { JsonBodyTooDeepError } from './json-body.errors';

/** No route takes a body nested more than a few levels; 32 leaves room and stops a stack overflow. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text opens more than `maxDepth` objects or arrays inside one another. One pass over
 * the characters, no recursion and no allocation, so it is safe on any input: brackets inside
 * strings do not count. Malformed text may be counted loosely; JSON.parse refuses it afterwards.
 *
 * Hand-written because neither JSON.parse nor secure-json-parse bounds depth, and the recursive
 * walks after parsing (class-transformer, class-validator, serializers) overflow the stack on a
 * body thousands of levels deep.
 */
export function jsonNestedDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * The gateway's `application/json` parser: Fastify's own (secure-json-parse refusing `__proto__`
 * and `constructor.prototype` keys with a 400, so a body cannot pollute prototypes), behind a
 * depth check, so a deeply nested body is a 400 before validation or class-transformer see it.
 */
export function registerJsonBodyParser(
  fastify: FastifyInstance,
  maxDepth: number = MAX_JSON_DEPTH,
): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonNestedDeeperThan(text, maxDepth)) {
      done(new JsonBodyTooDeepError(maxDepth), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
