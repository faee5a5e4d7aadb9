import Fastify, { FastifyInstance } from 'fastify';
import { jsonNestedDeeperThan, registerJsonBodyParser } from './json-body';

const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe(jsonNestedDeeperThan.name, () => {
  it('counts objects and arrays inside one another', () => {
    expect(jsonNestedDeeperThan(nestedArrays(3), 3)).toBe(false);
    expect(jsonNestedDeeperThan(nestedArrays(4), 3)).toBe(true);
    expect(jsonNestedDeeperThan(nestedObjects(3), 3)).toBe(false);
    expect(jsonNestedDeeperThan(nestedObjects(4), 3)).toBe(true);
    expect(jsonNestedDeeperThan('[{"a":[1]},{"b":[2]},[3]]', 3)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestedDeeperThan(JSON.stringify({ a: '[[[[{{{{', b: '"\\"[[[[' }), 1)).toBe(false);
    expect(jsonNestedDeeperThan(JSON.stringify(['\\', [[1]]]), 2)).toBe(true);
  });

  it('walks a body millions of levels deep without recursion', () => {
    expect(jsonNestedDeeperThan(nestedArrays(1_000_000), 32)).toBe(true);
  });
});

describe(registerJsonBodyParser.name, () => {
  let sut: FastifyInstance;

  beforeEach(async () => {
    sut = Fastify();
    registerJsonBodyParser(sut, 4);
    sut.post('/echo', (request) => ({ body: request.body }));
    await sut.ready();
  });

  afterEach(() => sut.close());

  const post = (payload: string, contentType = 'application/json') =>
    sut.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload });

  it('parses a body within the depth', async () => {
    const res = await post('{"a":{"b":[1,{"c":2}]}}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: { a: { b: [1, { c: 2 }] } } });
  });

  it('refuses a deeper body with 400 before parsing it', async () => {
    const res = await post(nestedObjects(5), 'application/json; charset=utf-8');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: 'The JSON body is nested deeper than 4 levels' });
  });

  it('keeps refusing prototype keys and malformed or empty bodies', async () => {
    expect((await post('{"__proto__":{"polluted":true}}')).statusCode).toBe(400);
    expect((await post('{"constructor":{"prototype":{"polluted":true}}}')).statusCode).toBe(400);
    expect((await post('{"a":')).statusCode).toBe(400);
    expect((await post('')).statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
