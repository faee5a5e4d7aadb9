import type { FastifyInstance } from 'fastify';
import type { FieldErrors } from '@up/contracts';
import { RequestValidationError } from '../errors/request-validation.error';

/**
 * A NUL character, or a UTF-16 surrogate without its pair. Neither can be stored (PostgreSQL's
 * text and jsonb refuse them) nor encoded as UTF-8, and validator.js throws on unpaired surrogates
 * (its checks call encodeURI), so such text is the client's error wherever it appears.
 */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NUL = '\u0000';

const unstorable = (text: string) => text.includes(NUL) || UNPAIRED_SURROGATE.test(text);

const MESSAGE = 'must be valid text (no NUL characters or unpaired surrogates)';

/**
 * The paths (dotted, as in `fields`) of the strings in `value`, keys included, that cannot be
 * stored. Walks with a stack of its own: JSON bodies are at most 32 levels deep (json-body.ts),
 * and no depth could overflow it anyway.
 */
export function unstorableTextPaths(value: unknown): string[] {
  const found: string[] = [];
  const stack: [string, unknown][] = [['', value]];
  while (stack.length > 0) {
    const [path, current] = stack.pop() as [string, unknown];
    if (typeof current === 'string') {
      if (unstorable(current)) found.push(path);
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, child] of Object.entries(current)) {
        const childPath = path ? `${path}.${key}` : key;
        if (unstorable(key)) found.push(childPath);
        else stack.push([childPath, child]);
      }
    }
  }
  return found;
}

/**
 * Refuses, with 400 `VALIDATION_FAILED` naming the fields, any request whose body, query or path
 * parameters hold text that cannot be stored; before validation, on every route, so no route
 * has to remember it.
 */
export function registerTextInputCheck(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    const paths = [
      ...unstorableTextPaths(request.params),
      ...unstorableTextPaths(request.query),
      ...unstorableTextPaths(request.body),
    ];
    if (paths.length === 0) {
      done();
      return;
    }
    const fields: FieldErrors = {};
    for (const path of paths) fields[path || 'body'] = [`${path || 'body'} ${MESSAGE}`];
    done(new RequestValidationError(fields));
  });
}
