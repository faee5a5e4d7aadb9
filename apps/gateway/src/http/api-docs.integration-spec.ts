import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@up/config';
import { ApiClient, apiClient, createTestRedisSpace, TestRedisSpace } from '@up/testing';
import { createGatewayApp } from '../bootstrap';
import { GatewayConfig } from '../config/gateway.config';

/** The sources a CSP directive allows, falling back to default-src as browsers do. */
function sourcesOf(csp: string, directive: string): string[] {
  const directives = new Map(
    csp.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );
  return directives.get(directive) ?? directives.get('default-src') ?? [];
}

describe('API docs (/docs, /docs-json)', () => {
  let redis: TestRedisSpace;
  const apps: NestFastifyApplication[] = [];

  async function startGateway(env: Record<string, string> = {}): Promise<ApiClient> {
    const config = loadConfig(GatewayConfig, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      ...env,
    });
    const app = await createGatewayApp(config);
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return apiClient(await app.getUrl());
  }

  beforeAll(() => {
    redis = createTestRedisSpace();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await redis?.clear();
  });

  describe('on by default', () => {
    let api: ApiClient;

    beforeAll(async () => {
      api = await startGateway();
    });

    it('serves the OpenAPI document and Swagger UI', async () => {
      const document = await api.get<{ openapi: string }>('/docs-json');
      const ui = await api.get('/docs');

      expect(document.status).toBe(200);
      expect(document.json.openapi).toMatch(/^3\./);
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toContain('text/html');
    });

    it('documents the liveness and readiness routes', async () => {
      const { json } = await api.get<{ paths: Record<string, Record<string, unknown>> }>(
        '/docs-json',
      );

      expect(json.paths['/health']).toEqual({
        get: expect.objectContaining({
          tags: ['operations'],
          responses: { '200': { description: 'The process is running' } },
        }),
      });
      expect(Object.keys(json.paths['/ready'])).toEqual(['get']);
    });

    it('answers /health with its JSON, also to HEAD', async () => {
      const health = await api.get('/health');
      const head = await fetch(new URL('/health', api.baseUrl), { method: 'HEAD' });

      expect(health.status).toBe(200);
      expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(health.json).toEqual({ status: 'ok' });
      expect(head.status).toBe(200);
    });

    it('serves Swagger UI under a CSP that allows scripts from the gateway only', async () => {
      const ui = await api.get('/docs');
      const csp = ui.headers.get('content-security-policy') ?? '';

      expect(csp).not.toContain('https:');
      expect(sourcesOf(csp, 'script-src')).toEqual([`'self'`]);
      for (const directive of ['style-src', 'img-src', 'font-src', 'connect-src']) {
        expect({ directive, sources: sourcesOf(csp, directive) }).toEqual({
          directive,
          sources: expect.not.arrayContaining([expect.stringMatching(/^(https?:|\*)|\./)]),
        });
      }
    });

    it("needs nothing that CSP forbids: no inline script, every script and style the gateway's own", async () => {
      const html = (await api.get('/docs')).text;
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      const sheets = [...html.matchAll(/<link\b[^>]*rel=['"]stylesheet['"][^>]*>/g)].map(
        ([tag]) => /href=['"]([^'"]+)['"]/.exec(tag)?.[1] ?? '',
      );

      expect(scripts.length).toBeGreaterThan(0);
      const sources = scripts.map(([, attributes, body]) => {
        expect(body.trim()).toBe('');
        return /src=['"]([^'"]+)['"]/.exec(attributes)?.[1] ?? '';
      });
      for (const source of [...sources, ...sheets]) {
        // Relative to the page (/docs): same origin.
        expect(source).toMatch(/^\.?\/?[\w./-]+$/);
        const asset = await api.get(new URL(source, 'http://gateway/docs').pathname);
        expect({ source, status: asset.status }).toEqual({ source, status: 200 });
      }
    });
  });

  describe('API_DOCS_ENABLED=false', () => {
    let api: ApiClient;

    beforeAll(async () => {
      api = await startGateway({ API_DOCS_ENABLED: 'false' });
    });

    it.each(['/docs', '/docs-json', '/docs/swagger-ui-init.js', '/docs/swagger-ui-bundle.js'])(
      'answers 404 on %s',
      async (path) => {
        const res = await api.get(path);

        expect(res.status).toBe(404);
      },
    );

    it('still serves the API', async () => {
      expect((await api.get('/health')).status).toBe(200);
    });
  });
});
