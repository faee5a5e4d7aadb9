import Fastify, { FastifyInstance } from 'fastify';
import { registerTextInputCheck, unstorableTextPaths } from './text-input';

describe(unstorableTextPaths.name, () => {
  it('finds NUL characters and unpaired surrogates, in values and keys, by dotted path', () => {
    expect(
      unstorableTextPaths({
        fine: 'Привет 👋',
        nul: 'a\u0000b',
        high: 'x\ud800',
        low: '\udc00y',
        list: ['ok', { deep: '\ud83d' }],
        ['key\u0000']: 'ok',
        count: 3,
        none: null,
      }).sort(),
    ).toEqual(['high', 'key\u0000', 'list.1.deep', 'low', 'nul']);
    expect(unstorableTextPaths('\ud800')).toEqual(['']);
    expect(unstorableTextPaths({ emoji: '👋🏽', text: 'plain' })).toEqual([]);
  });
});

describe(registerTextInputCheck.name, () => {
  let sut: FastifyInstance;

  beforeEach(async () => {
    sut = Fastify();
    registerTextInputCheck(sut);
    sut.post('/items/:id', () => ({ ok: true }));
    await sut.ready();
  });

  afterEach(() => sut.close());

  it('refuses unstorable text in the body, the query or the path with 400', async () => {
    const post = (url: string, payload: object) => sut.inject({ method: 'POST', url, payload });
    expect((await post('/items/1', { title: 'fine 👋' })).statusCode).toBe(200);
    expect((await post('/items/1', { title: '\ud800' })).statusCode).toBe(400);
    expect((await post('/items/1?search=%00', {})).statusCode).toBe(400);
    expect((await post('/items/a%00b', {})).statusCode).toBe(400);
  });
});
