import Fastify, { FastifyInstance } from 'fastify';
import { CorsOptions, CorsPolicy, registerCors } from './cors';

const FRONTEND = 'https://club.example';
const EXPOSED = 'X-Request-Id, ETag, Retry-After';

/** A Fastify app with one route behind the policy, as the gateway registers it. */
async function appWith(options: Partial<CorsOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify();
  registerCors(
    app,
    new CorsPolicy({
      origins: [FRONTEND, 'http://localhost:5173'],
      exposedHeaders: ['X-Request-Id', 'ETag', 'Retry-After'],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      ...options,
    }),
  );
  app.get('/api/users/me', () => ({ ok: true }));
  await app.ready();
  return app;
}

describe(CorsPolicy.name, () => {
  let sut: FastifyInstance;

  afterEach(() => sut?.close());

  it('lets an allowed origin read the answer, with credentials and the exposed headers', async () => {
    sut = await appWith();

    const res = await sut.inject({ url: '/api/users/me', headers: { origin: FRONTEND } });

    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': FRONTEND,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': EXPOSED,
      vary: 'Origin',
    });
  });

  it.each([
    ['another origin', { origin: 'https://evil.example' }],
    ['no origin', {}],
  ])('does not allow %s, and still varies on Origin for caches', async (_case, headers) => {
    sut = await appWith();

    const res = await sut.inject({ url: '/api/users/me', headers });

    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBe('Origin');
  });

  it('allows any origin, without credentials, when configured with *', async () => {
    sut = await appWith({ origins: ['*'] });

    const res = await sut.inject({ url: '/api/users/me', headers: { origin: FRONTEND } });

    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(res.headers['access-control-expose-headers']).toBe(EXPOSED);
  });

  it('answers a preflight with 204, the methods and the requested headers, before any route', async () => {
    sut = await appWith();

    const res = await sut.inject({
      method: 'OPTIONS',
      url: '/api/users/me',
      headers: {
        origin: FRONTEND,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': FRONTEND,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': 'authorization,content-type',
      'content-length': '0',
      vary: 'Origin, Access-Control-Request-Headers',
    });
  });

  it('answers a preflight for a path without a route too', async () => {
    sut = await appWith();

    const res = await sut.inject({
      method: 'OPTIONS',
      url: '/api/events/123/join',
      headers: { origin: FRONTEND, 'access-control-request-method': 'DELETE' },
    });

    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it.each([
    ['without Origin', { 'access-control-request-method': 'POST' }],
    ['without Access-Control-Request-Method', { origin: FRONTEND }],
  ])('refuses an OPTIONS request %s as an invalid preflight', async (_case, headers) => {
    sut = await appWith();

    const res = await sut.inject({ method: 'OPTIONS', url: '/api/users/me', headers });

    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('Invalid Preflight Request');
  });
});
