/**
 * A JSON body nested deeper than the gateway accepts. Raised by the body parser, before any route
 * runs; `statusCode` makes the exception filter answer it as a 400 `VALIDATION_FAILED` like
 * Fastify's own refusals of a malformed body.
 */
export class JsonBodyTooDeepError extends Error {
  readonly statusCode = 400;

  constructor(maxDepth: number) {
    super(`The JSON body is nested deeper than ${maxDepth} levels`);
    this.name = 'JsonBodyTooDeepError';
  }
}
