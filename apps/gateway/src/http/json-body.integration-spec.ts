import { ErrorCode } from '@up/contracts';
import { Platform, startPlatform } from '@up/testing';

/**
 * Bodies the gateway refuses before any route, validation or service sees them, over the real
 * HTTP stack (only the gateway runs: nothing here reaches a service).
 */
describe('JSON bodies at the gateway', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ apps: ['gateway'] });
  }, 60_000);

  afterAll(() => platform?.close());

  async function post(path: string, body: string) {
    const res = await fetch(new URL(path, platform.gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it.each([
    ['arrays', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['objects', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
    ['a field', `{"refresh_token":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
  ])('refuses a body of %s nested thousands of levels deep with 400', async (_, body) => {
    for (const path of ['/api/auth/refresh', '/api/auth/callback', '/api/auth/logout']) {
      const res = await post(path, body);
      expect({ path, status: res.status, json: res.json }).toEqual({
        path,
        status: 400,
        json: expect.objectContaining({
          code: ErrorCode.VALIDATION_FAILED,
          message: 'The JSON body is nested deeper than 32 levels',
        }),
      });
    }
  });

  it('refuses prototype keys with 400, polluting nothing', async () => {
    const res = await post('/api/auth/refresh', '{"__proto__":{"polluted":true}}');
    expect(res.status).toBe(400);
    expect(res.json.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
