import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Platform, startPlatform } from '@up/testing';

/**
 * docs/api.md is the public contract; the gateway's OpenAPI document is what it really serves.
 * Every route of one must be in the other, so neither drifts. The gateway is booted exactly as
 * main.ts boots it (no services behind it: building the document asks none of them).
 */

const API_DOC = join(__dirname, '..', '..', 'docs', 'api.md');

/** Served by the gateway but, by design, not listed in its OpenAPI document. */
const OUTSIDE_OPENAPI = ['GET /metrics', 'GET /docs', 'GET /docs-json'];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
}

/** `` ### `METHOD /path` ``: the heading every route has in docs/api.md. */
function documentedRoutes(markdown: string): string[] {
  return [...markdown.matchAll(/^###\s+`([A-Z]+) (\/\S*)`\s*$/gm)].map(
    ([, method, path]) => `${method} ${path}`,
  );
}

function servedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => HTTP_METHODS.has(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('docs/api.md', () => {
  let platform: Platform;
  let served: string[];
  const documented = documentedRoutes(readFileSync(API_DOC, 'utf8'));

  beforeAll(async () => {
    platform = await startPlatform({ apps: ['gateway'] });
    const res = await platform.api.get<OpenApiDocument>('/docs-json');
    expect(res.status).toBe(200);
    served = servedRoutes(res.json);
  }, 60_000);

  afterAll(() => platform?.close());

  it('documents each route once', () => {
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.filter((route, i) => documented.indexOf(route) !== i)).toEqual([]);
  });

  it('documents every route of the OpenAPI document', () => {
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('documents no route that the gateway does not serve', () => {
    const known = new Set([...served, ...OUTSIDE_OPENAPI]);
    expect(documented.filter((route) => !known.has(route))).toEqual([]);
  });

  it('documents the operations routes kept out of the OpenAPI document', async () => {
    expect(OUTSIDE_OPENAPI.filter((route) => !documented.includes(route))).toEqual([]);
    // They are served all the same.
    for (const route of OUTSIDE_OPENAPI) {
      const path = route.split(' ')[1];
      expect({ route, status: (await platform.api.get(path)).status }).toEqual({
        route,
        status: 200,
      });
    }
  });
});
