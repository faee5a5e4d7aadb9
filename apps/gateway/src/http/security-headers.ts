import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { HelmetOptions } from 'helmet';

/**
 * helmet's defaults, with a Content-Security-Policy that lets Swagger UI at /docs run and nothing
 * else: every script, style sheet, font and image comes from the gateway itself (api-docs.ts).
 * Scripts: 'self' only, no inline script and no other origin, so injected markup cannot run code.
 * Styles keep 'unsafe-inline': Swagger UI's page carries inline <style> blocks and style
 * attributes, and a style cannot run script; hashes would break the page on any upgrade of
 * @nestjs/swagger for no gain against script injection.
 */
export const GATEWAY_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`],
      styleSrc: [`'self'`, `'unsafe-inline'`],
      imgSrc: [`'self'`, 'data:'],
      fontSrc: [`'self'`, 'data:'],
      connectSrc: [`'self'`],
      objectSrc: [`'none'`],
      frameAncestors: [`'none'`],
    },
  },
};

/**
 * The response headers helmet sets for `options`, computed once by running helmet's middleware
 * against a recording response. @fastify/helmet builds a new helmet middleware (and re-parses
 * the CSP directives) on every request; with a static configuration (no nonces, no directive
 * functions) the result is the same every time, so the gateway adds this set in one hook instead.
 * Names are lower-case, as Fastify stores reply headers.
 */
export function staticSecurityHeaders(
  options: HelmetOptions = GATEWAY_HELMET_OPTIONS,
): Readonly<Record<string, string>> {
  assertStatic(options);
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      if (typeof value !== 'string') {
        // A list or number would mean a helmet feature this precomputation does not expect.
        throw new TypeError(`helmet set ${name} to a non-string value`);
      }
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string): void {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  return Object.freeze(headers);
}

/** A CSP directive computed per request (a nonce) cannot be sent as a precomputed header. */
function assertStatic(options: HelmetOptions): void {
  const csp = options.contentSecurityPolicy;
  if (typeof csp !== 'object' || csp === null || !csp.directives) return;
  for (const [name, value] of Object.entries(csp.directives)) {
    const parts: unknown[] = Array.isArray(value) ? value : [value];
    if (parts.some((part) => typeof part === 'function')) {
      throw new TypeError(
        `CSP directive ${name} is computed per request: it cannot be precomputed`,
      );
    }
  }
}
