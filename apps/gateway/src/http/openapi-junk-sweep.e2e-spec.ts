import { randomInt, randomUUID } from 'node:crypto';
import { captureLogs, LOG_LEVELS, LogCapture, Platform, startPlatform } from '@up/testing';
import { ClubFactory, inDays } from '../../test/factories/club.factory';

/**
 * Junk at every operation of the gateway's OpenAPI document, with and without a valid (admin)
 * token: wrong types for every body field and query parameter, huge strings, lone surrogates,
 * prototype keys, path traversal and SQL-looking path and query values, repeated query
 * parameters, empty, malformed, foreign and deeply nested bodies. None may answer a 5xx, nor log
 * an error: junk is the client's mistake. Operations are read from `/docs-json`, so a new route is
 * swept as soon as it is documented.
 *
 * Each variant changes one thing on a request that is otherwise well formed (body fields from
 * the schema's examples, path parameters naming a real event and member), so the junk gets past
 * the checks in front of it. Every request comes from an address of its own (X-Forwarded-For,
 * proxies trusted here), so the per-IP rate limits do not turn the sweep into a run of 429s.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema?: Schema;
}

interface OpenApiOperation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  bodyTypes: string[];
  bodySchema?: Schema;
}

/** One request of the sweep; `label` says what junk it carries (never the junk itself). */
interface Variant {
  label: string;
  path?: Record<string, string>;
  /** Raw query string (already encoded), without `?`. */
  query?: string;
  headers?: Record<string, string>;
  body?: { contentType?: string; text: string };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** 1 MB: below the body limit, so it reaches the parsers and validation. */
const HUGE = 'x'.repeat(1_000_000);
/** The longest value that fits a request line under Node's 16 KB header limit, with room. */
const LONG = 'y'.repeat(10_000);
const LONE_SURROGATE = '\ud800';
/** A lone surrogate as it arrives in a URL: UTF-8 bytes that are not valid UTF-8. */
const LONE_SURROGATE_IN_URL = '%ED%A0%80';
const TRAVERSAL = '../../etc/passwd';
const SQL = "1' OR '1'='1'; DROP TABLE members; --";
const DEEP = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);

/** Values a URL can carry in a path segment or a query value, already encoded. */
const URL_JUNK: [string, string][] = [
  ['path traversal', encodeURIComponent(TRAVERSAL)],
  ['SQL', encodeURIComponent(SQL)],
  ['lone surrogate', LONE_SURROGATE_IN_URL],
  ['long string', LONG],
  ['negative number', '-1'],
  ['fraction', '1.5'],
  ['overflowing number', '1e400'],
  ['NUL byte', '%00'],
  ['bad percent escape', '%E0%A4%A'],
];

/** JSON values of every type but `type`, plus the strings a scanner tries. */
function wrongTypes(schema: Schema): [string, unknown][] {
  const all: [string, unknown][] = [
    ['a string', 'junk'],
    ['a number', 12345],
    ['a huge number', 1e308],
    ['a boolean', true],
    ['an object', { nested: { deeper: 1 } }],
    ['an array', ['junk', 1]],
    ['null', null],
  ];
  const type = schema.type ?? 'string';
  const keep = all.filter(([label]) => {
    if (type === 'string') return label !== 'a string';
    if (type === 'integer' || type === 'number') return !label.includes('number');
    if (type === 'boolean') return label !== 'a boolean';
    if (type === 'array') return label !== 'an array';
    if (type === 'object') return label !== 'an object';
    return true;
  });
  return [
    ...keep,
    ['a 1 MB string', HUGE],
    ['a lone surrogate', LONE_SURROGATE],
    ['a path traversal', TRAVERSAL],
    ['SQL', SQL],
    ['a prototype key', { __proto__: { polluted: true }, constructor: { prototype: 1 } }],
  ];
}

function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    return resolve(document, document.components?.schemas?.[name]);
  }
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => resolve(document, part) ?? {});
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
    };
  }
  return schema;
}

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]) => {
        const content = operation.requestBody?.content ?? {};
        const [first] = Object.values(content);
        return {
          method: method.toUpperCase(),
          path,
          parameters: operation.parameters ?? [],
          bodyTypes: Object.keys(content),
          bodySchema: resolve(document, first?.schema),
        };
      }),
  );
}

/** A plausible value for a schema: its example, or one made from its type and format. */
function plausible(schema: Schema): unknown {
  if (schema.format === 'date-time') return inDays(30);
  if (schema.format === 'email') return `sweep-${randomUUID()}@example.com`;
  if (schema.format === 'uri') return 'https://club.example/image.png';
  if (schema.format === 'uuid') return randomUUID();
  if (schema.enum?.length) return schema.enum[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'sweep';
  }
}

function plausibleBody(schema: Schema | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema?.properties ?? {}).map(([name, field]) => [name, plausible(field)]),
  );
}

const json = (value: unknown) => ({ contentType: 'application/json', text: JSON.stringify(value) });

/** Junk in the body: each field wrong in turn, then bodies that are wrong as a whole. */
function bodyVariants(operation: Operation): Variant[] {
  const fields = Object.entries(operation.bodySchema?.properties ?? {});
  const base = plausibleBody(operation.bodySchema);
  const variants: Variant[] = fields.flatMap(([name, field]) =>
    wrongTypes(field).map(([label, value]) => ({
      label: `body.${name} = ${label}`,
      body: json({ ...base, [name]: value }),
    })),
  );
  variants.push(
    { label: 'every body field a string of junk', body: json(mapValues(base, () => SQL)) },
    { label: 'a well-formed body', body: json(base) },
    { label: 'an empty JSON body', body: { contentType: 'application/json', text: '' } },
    { label: 'no body at all', body: { text: '' } },
    { label: 'a JSON array', body: json([base]) },
    { label: 'a JSON string', body: json('junk') },
    { label: 'JSON null', body: { contentType: 'application/json', text: 'null' } },
    { label: 'malformed JSON', body: { contentType: 'application/json', text: '{"a":' } },
    {
      label: 'a body nested 5000 levels deep',
      body: { contentType: 'application/json', text: DEEP },
    },
    {
      label: 'a __proto__ key',
      body: { contentType: 'application/json', text: '{"__proto__":{"polluted":true}}' },
    },
    {
      label: 'a constructor.prototype key',
      body: { contentType: 'application/json', text: '{"constructor":{"prototype":{"x":1}}}' },
    },
    { label: 'a text/plain body', body: { contentType: 'text/plain', text: 'junk' } },
    { label: 'an XML body', body: { contentType: 'application/xml', text: '<a>junk</a>' } },
    {
      label: 'a form with prototype keys and repeated fields',
      body: {
        contentType: 'application/x-www-form-urlencoded',
        text: `__proto__=x&constructor=y&__proto__[polluted]=1&${fields
          .map(([name]) => `${name}=a&${name}=b`)
          .join('&')}`,
      },
    },
    {
      label: 'a form with a 1 MB field',
      body: {
        contentType: 'application/x-www-form-urlencoded',
        text: fields.map(([name]) => `${name}=${HUGE.slice(0, 100_000)}`).join('&'),
      },
    },
  );
  return variants;
}

function mapValues(
  record: Record<string, unknown>,
  fn: (value: unknown) => unknown,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

function queryVariants(operation: Operation): Variant[] {
  const names = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const variants: Variant[] = names.flatMap((name) => [
    ...URL_JUNK.map(([label, value]) => ({
      label: `query ${name} = ${label}`,
      query: `${name}=${value}`,
    })),
    { label: `query ${name} = a word`, query: `${name}=junk` },
    { label: `query ${name} empty`, query: `${name}=` },
    { label: `query ${name} repeated`, query: `${name}=1&${name}=2` },
    { label: `query ${name}[] as an array`, query: `${name}[]=1&${name}[]=2` },
    { label: `query ${name}[a] as an object`, query: `${name}[a]=1` },
  ]);
  variants.push({
    label: 'query with prototype keys',
    query: '__proto__=x&constructor=y&prototype=z&__proto__[polluted]=1',
  });
  return variants;
}

function pathVariants(operation: Operation): Variant[] {
  return operation.parameters
    .filter((p) => p.in === 'path')
    .flatMap((p) =>
      URL_JUNK.map(([label, value]) => ({
        label: `path ${p.name} = ${label}`,
        path: { [p.name]: value },
      })),
    );
}

function headerVariants(): Variant[] {
  return [
    { label: 'a junk bearer token', headers: { authorization: 'Bearer junk' } },
    { label: 'a long bearer token', headers: { authorization: `Bearer ${LONG}` } },
    { label: 'a forged JWT', headers: { authorization: `Bearer e30.${'e30'}.x` } },
    { label: 'a Basic authorization', headers: { authorization: 'Basic eDp5' } },
    { label: 'a junk If-None-Match', headers: { 'if-none-match': `"${LONG}", W/"x", *` } },
    { label: 'a junk X-Request-Id', headers: { 'x-request-id': `${LONG}\t;` } },
  ];
}

function variantsOf(operation: Operation): Variant[] {
  return [
    { label: 'as documented, no junk' },
    ...pathVariants(operation),
    ...queryVariants(operation),
    ...(operation.bodyTypes.length > 0 || operation.method !== 'GET'
      ? bodyVariants(operation)
      : []),
    ...headerVariants(),
  ];
}

interface Finding {
  operation: string;
  variant: string;
  token: boolean;
  status: number;
  body: string;
}

/** A random IPv4 address, so every request is its own client for the per-IP rate limits. */
const randomClientIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

async function runAll<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}

describe('junk at every documented operation', () => {
  let platform: Platform;
  let logs: LogCapture;
  let operations: Operation[];
  let club: ClubFactory;
  let token: string;
  let pathValues: Record<string, string>;

  beforeAll(async () => {
    logs = captureLogs();
    platform = await startPlatform({
      // Every app a documented operation reaches (the bot answers the broadcast log).
      apps: ['gateway', 'users', 'auth-codes', 'events', 'bot'],
      telegram: {},
      env: { ...ClubFactory.env, LOG_LEVEL: 'warn', TRUST_PROXY: 'true' },
      // Telegram sign-in configured, so its route validates instead of answering 503.
      appEnv: { gateway: { TELEGRAM_BOT_TOKEN: '123456:SWEEP-token' } },
    });
    club = new ClubFactory(platform);
    const admin = await club.adminMember();
    const member = await club.member({ coins: 10 });
    token = admin.token;
    const referral = await platform.api.get('/api/users/me', { token: member.token });
    pathValues = { member_id: member.id, referral_code: String(referral.json.referral_code) };
    const res = await platform.api.get<OpenApiDocument>('/docs-json');
    operations = operationsOf(res.json);
  }, 90_000);

  afterAll(async () => {
    await platform?.close();
    logs?.stop();
  });

  /**
   * Path values naming things that exist; each operation on an event gets an event of its own, so
   * one that cancels it does not leave the next ones nothing but 404s and 409s.
   */
  async function pathValuesFor(operation: Operation): Promise<Record<string, string>> {
    if (!operation.path.includes('{event_id}')) return pathValues;
    const event = await club.event({ capacity: 5 });
    return { ...pathValues, event_id: event.id };
  }

  async function send(
    operation: Operation & { pathValues: Record<string, string> },
    variant: Variant,
    withToken: boolean,
  ): Promise<Finding> {
    const path = operation.path.replace(
      /\{(\w+)\}/g,
      (_, name: string) => variant.path?.[name] ?? operation.pathValues[name] ?? randomUUID(),
    );
    const url = `${platform.gatewayUrl}${path}${variant.query ? `?${variant.query}` : ''}`;
    const headers: Record<string, string> = { 'x-forwarded-for': randomClientIp() };
    if (withToken) headers.authorization = `Bearer ${token}`;
    Object.assign(headers, variant.headers);
    const body =
      operation.method === 'GET'
        ? undefined
        : (variant.body ?? json(plausibleBody(operation.bodySchema)));
    if (body?.contentType) headers['content-type'] = body.contentType;
    const res = await fetch(url, {
      method: operation.method,
      headers,
      body: body && body.text.length > 0 ? body.text : undefined,
    });
    const text = await res.text();
    return {
      operation: `${operation.method} ${operation.path}`,
      variant: variant.label,
      token: withToken,
      status: res.status,
      body: text.slice(0, 300),
    };
  }

  it('answers no 5xx and logs no error', async () => {
    expect(operations.length).toBeGreaterThan(20);
    const prepared = [];
    for (const operation of operations) {
      prepared.push({ ...operation, pathValues: await pathValuesFor(operation) });
    }
    const tasks = prepared.flatMap((operation) =>
      variantsOf(operation).flatMap((variant) => [
        () => send(operation, variant, false),
        () => send(operation, variant, true),
      ]),
    );
    const findings = await runAll(tasks, 4);

    expect(findings.filter((finding) => finding.status >= 500)).toEqual([]);
    const errors = logs.lines().filter((line) => line.level >= LOG_LEVELS.error);
    expect(errors.map((line) => ({ msg: line.msg, err: line.err }))).toEqual([]);
    // The sweep reached the routes: most of it is refused as invalid, not as unauthenticated.
    expect(findings.filter((finding) => finding.status === 400).length).toBeGreaterThan(
      findings.length / 4,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
