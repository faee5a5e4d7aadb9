import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asNumber, BotApiMethods, canonicalMethod, TelegramApiError } from './bot-api-methods';
import { CallLog, RecordedCall } from './call-log';
import { parseRequestParams } from './request-params';
import type { TelegramUpdate } from './telegram-types';

interface PendingPoll {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export interface BotApiServerOptions {
  token: string;
  methods: BotApiMethods;
  log: CallLog;
}

/**
 * The HTTP side of the fake: a `node:http` server on 127.0.0.1 serving `/bot<token>/<method>`
 * with Telegram's envelope (`{ok, result}` / `{ok: false, error_code, description}`), every call
 * recorded, and the update queue behind `getUpdates`: it honours `offset` (confirms older
 * updates), `limit` and `timeout` (holds the request until an update arrives), and, like
 * Telegram, answers 409 to the older of two concurrent pollers.
 */
export class BotApiServer {
  private server!: Server;
  private baseUrl = '';
  private readonly updates: TelegramUpdate[] = [];
  private nextUpdateId = 1;
  private poll: PendingPoll | undefined;
  private readonly pollWaiters = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: BotApiServerOptions) {}

  get url(): string {
    return this.baseUrl;
  }

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.reply(
          res,
          { ok: false, error_code: 500, description: `Internal fake error: ${String(error)}` },
          500,
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) this.finishPoll(this.poll, []);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Queues an update from a simulated user and hands it to a waiting poll. */
  pushUpdate(update: Omit<TelegramUpdate, 'update_id'>): void {
    if (this.closed) throw new Error('The fake Telegram Bot API is closed');
    this.options.log.markAction();
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    const poll = this.poll;
    if (poll) {
      const available = this.pending(poll.offset, poll.limit);
      if (available.length > 0) this.finishPoll(poll, available);
    }
  }

  /** Resolves once a getUpdates is waiting here: the bot is up. */
  waitUntilPolling(timeoutMs: number): Promise<void> {
    if (this.poll) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pollWaiters.delete(done);
        reject(new Error(`No bot polled getUpdates within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.pollWaiters.add(done);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) {
      req.resume();
      this.reply(res, { ok: false, error_code: 404, description: 'Not Found' }, 404);
      return;
    }
    const [, token, rawMethod] = match;
    const method = canonicalMethod(rawMethod);
    if (token !== this.options.token) {
      // Recorded as refused (without its body), so a test sees how often a bot tries a bad token.
      req.resume();
      this.options.log.record({
        seq: 0,
        method,
        params: {},
        files: [],
        error: 'Unauthorized',
        at: new Date(),
      });
      this.reply(res, { ok: false, error_code: 401, description: 'Unauthorized' }, 401);
      return;
    }
    const { params, files } = await parseRequestParams(req, url);
    if (method === 'getUpdates') {
      this.getUpdates(params, res);
      return;
    }
    const call: RecordedCall = { seq: 0, method, params, files, at: new Date() };
    try {
      call.result = this.options.methods.call(method, params, files);
      this.options.log.record(call);
      this.reply(res, { ok: true, result: call.result });
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      call.error = error.description;
      this.options.log.record(call);
      this.reply(
        res,
        {
          ok: false,
          error_code: error.errorCode,
          description: error.description,
          ...(error.parameters ? { parameters: error.parameters } : {}),
        },
        error.errorCode,
      );
    }
  }

  private reply(res: ServerResponse, body: unknown, status = 200): void {
    if (res.writableEnded || res.destroyed) return;
    const json = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  }

  // ---- getUpdates (long polling) -------------------------------------------------------------

  private getUpdates(params: Record<string, unknown>, res: ServerResponse): void {
    const offset = asNumber(params.offset, 0);
    const limit = Math.min(100, Math.max(1, asNumber(params.limit, 100)));
    const timeoutSeconds = Math.max(0, asNumber(params.timeout, 0));
    this.confirm(offset);
    if (this.poll) {
      // Telegram lets one poller in at a time and tells the older one so.
      const older = this.poll;
      this.poll = undefined;
      clearTimeout(older.timer);
      this.reply(
        older.res,
        {
          ok: false,
          error_code: 409,
          description:
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        },
        409,
      );
    }
    const available = this.pending(offset, limit);
    if (available.length > 0 || timeoutSeconds === 0 || this.closed) {
      this.recordPoll(params, available);
      this.reply(res, { ok: true, result: available });
      return;
    }
    const poll: PendingPoll = {
      offset,
      limit,
      res,
      timer: setTimeout(() => this.finishPoll(poll, []), timeoutSeconds * 1000),
    };
    poll.timer.unref();
    this.poll = poll;
    for (const done of this.pollWaiters) done();
    this.pollWaiters.clear();
    res.on('close', () => {
      // The bot aborted its request (bot.stop()); nothing to answer.
      if (this.poll === poll) {
        clearTimeout(poll.timer);
        this.poll = undefined;
      }
    });
  }

  private finishPoll(poll: PendingPoll, updates: TelegramUpdate[]): void {
    clearTimeout(poll.timer);
    if (this.poll === poll) this.poll = undefined;
    this.recordPoll({ offset: poll.offset, limit: poll.limit }, updates);
    this.reply(poll.res, { ok: true, result: updates });
  }

  private recordPoll(params: Record<string, unknown>, updates: TelegramUpdate[]): void {
    this.options.log.record({
      seq: 0,
      method: 'getUpdates',
      params,
      files: [],
      result: updates,
      at: new Date(),
    });
  }

  /** A getUpdates with `offset` confirms every update before it: Telegram forgets them. */
  private confirm(offset: number): void {
    if (offset <= 0) return;
    while (this.updates.length > 0 && this.updates[0].update_id < offset) this.updates.shift();
  }

  private pending(offset: number, limit: number): TelegramUpdate[] {
    // A negative offset asks for the last -offset updates.
    const from =
      offset < 0 ? this.updates.slice(offset) : this.updates.filter((u) => u.update_id >= offset);
    return from.slice(0, limit).map((u) => structuredClone(u));
  }
}
