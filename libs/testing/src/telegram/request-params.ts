import type { IncomingMessage } from 'node:http';

/** A file uploaded with a Bot API call (multipart/form-data), e.g. the `photo` of sendPhoto. */
export interface RecordedFile {
  /** The form field that carried it (`photo`, `document`, or an `attach://` id). */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedParams {
  params: Record<string, unknown>;
  files: RecordedFile[];
}

/** Form fields that carry JSON (as Telegram reads them; Telegraf serialises them so in multipart). */
const JSON_FORM_FIELDS = new Set([
  'reply_markup',
  'commands',
  'scope',
  'allowed_updates',
  'media',
  'entities',
  'caption_entities',
  'link_preview_options',
  'reply_parameters',
]);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function coerceFormValue(key: string, value: string): unknown {
  if (JSON_FORM_FIELDS.has(key)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Reads a Bot API call's parameters the ways Telegram accepts them: query string, JSON body,
 * urlencoded form, or multipart/form-data with files. Multipart is parsed by Node's own WHATWG
 * `Request.formData()` (undici), so no multipart dependency is needed.
 */
export async function parseRequestParams(req: IncomingMessage, url: URL): Promise<ParsedParams> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) params[key] = coerceFormValue(key, value);
  const files: RecordedFile[] = [];
  const body = await readBody(req);
  if (body.length === 0) return { params, files };

  const contentType = req.headers['content-type'] ?? '';
  if (contentType.startsWith('application/json')) {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      Object.assign(params, json);
    }
    return { params, files };
  }
  if (
    contentType.startsWith('multipart/form-data') ||
    contentType.startsWith('application/x-www-form-urlencoded')
  ) {
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).formData();
    for (const [key, value] of form) {
      if (typeof value === 'string') {
        params[key] = coerceFormValue(key, value);
      } else {
        const file = value as File;
        files.push({
          field: key,
          filename: file.name,
          contentType: file.type,
          data: Buffer.from(await file.arrayBuffer()),
        });
        params[key] = { file: file.name };
      }
    }
  }
  return { params, files };
}
