import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet from 'helmet';
import { GATEWAY_HELMET_OPTIONS, staticSecurityHeaders } from './security-headers';

/** What helmet's middleware puts on a real Node response, as a client receives it. */
async function headersHelmetSends(): Promise<Record<string, string>> {
  const middleware = helmet(GATEWAY_HELMET_OPTIONS);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    middleware(req, res, () => res.end());
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    await response.arrayBuffer();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return headers;
  } finally {
    server.close();
  }
}

describe(staticSecurityHeaders.name, () => {
  it("is exactly the set of headers helmet's middleware sends", async () => {
    const sent = await headersHelmetSends();
    const fromHelmet = Object.fromEntries(
      Object.entries(sent).filter(
        ([name]) =>
          !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(
            name,
          ),
      ),
    );

    const sut = staticSecurityHeaders();

    expect(sut).toEqual(fromHelmet);
    expect(Object.keys(sut).length).toBeGreaterThanOrEqual(10);
  });

  it('lets Swagger UI at /docs load from the gateway itself and nowhere else', () => {
    const csp = staticSecurityHeaders()['content-security-policy'];
    const directives = Object.fromEntries(
      csp.split(';').map((directive) => {
        const [name, ...sources] = directive.trim().split(/\s+/);
        return [name, sources.join(' ')];
      }),
    );

    expect(directives).toMatchObject({
      'default-src': `'self'`,
      'script-src': `'self'`,
      'style-src': `'self' 'unsafe-inline'`,
      'img-src': `'self' data:`,
      'font-src': `'self' data:`,
      'object-src': `'none'`,
      'frame-ancestors': `'none'`,
    });
    // No other origin anywhere: not https: (any site), not a named host.
    expect(csp).not.toMatch(/https?:|\*|\.(io|com|org|net)\b/);
  });

  it('refuses options whose headers would differ per request', () => {
    expect(() =>
      staticSecurityHeaders({
        contentSecurityPolicy: {
          directives: { scriptSrc: [`'self'`, (_req, res) => `'nonce-${String(res)}'`] },
        },
      }),
    ).toThrow();
  });
});
