import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  asNumber,
  BotApiMethods,
  canonicalMethod,
  TelegramApiError,
  WebhookInfo,
} from './bot-api-methods';
import { CallLog, RecordedCall } from './call-log';
import { faultBody, Faults, TelegramErrorBody } from './faults';
import { parseRequestParams } from './request-params';
import type { TelegramUpdate } from './telegram-types';

interface PendingPoll {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

/** One update the fake posted to the bot's webhook, and the HTTP status it got back. */
export interface WebhookDelivery {
  update: TelegramUpdate;
  status: number | 'failed';
}

const CONFLICT_OTHER_POLLER =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

export interface BotApiServerOptions {
  token: string;
  methods: BotApiMethods;
  log: CallLog;
  faults: Faults;
}

/** getUpdates callers as the fake saw them: several at once means several pollers. */
export interface PollingStats {
  /** getUpdates requests open right now. */
  active: number;
  /** The most getUpdates requests ever open at once. */
  maxConcurrent: number;
  /** How many 409 Conflict answers the fake gave (one poller replaced by another). */
  conflicts: number;
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
  readonly webhookDeliveries: WebhookDelivery[] = [];
  private readonly polling: PollingStats = { active: 0, maxConcurrent: 0, conflicts: 0 };

  constructor(private readonly options: BotApiServerOptions) {}

  get pollingStats(): PollingStats {
    return { ...this.polling };
  }

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

  /**
   * Queues an update from a simulated user and hands it to a waiting poll, or, while a webhook is
   * set, posts it there with the webhook's secret (once; what the bot answered is kept in
   * `webhookDeliveries`). An update the webhook did not take stays pending, as on Telegram,
   * for getUpdates once the webhook is deleted.
   */
  pushUpdate(update: Omit<TelegramUpdate, 'update_id'>): void {
    if (this.closed) throw new Error('The fake Telegram Bot API is closed');
    this.options.log.markAction();
    const full = { update_id: this.nextUpdateId++, ...update };
    this.updates.push(full);
    const webhook = this.options.methods.webhook;
    if (webhook) {
      void this.deliver(webhook, full);
      return;
    }
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

  private async deliver(webhook: WebhookInfo, update: TelegramUpdate): Promise<void> {
    const delivery: WebhookDelivery = { update, status: 'failed' };
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(webhook.secretToken
            ? { 'x-telegram-bot-api-secret-token': webhook.secretToken }
            : {}),
        },
        body: JSON.stringify(update),
      });
      delivery.status = response.status;
      if (response.ok) {
        const index = this.updates.findIndex((u) => u.update_id === update.update_id);
        if (index >= 0) this.updates.splice(index, 1);
      }
    } catch {
      // Unreachable webhook: recorded as failed, as Telegram's getWebhookInfo would report it.
    }
    this.webhookDeliveries.push(delivery);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Arrival time, before the body is read: what rate checks compare.
    const at = new Date();
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
        at,
      });
      this.reply(res, { ok: false, error_code: 401, description: 'Unauthorized' }, 401);
      return;
    }
    const { params, files } = await parseRequestParams(req, url);
    const call: RecordedCall = { seq: 0, method, params, files, at };
    const fault = this.options.faults.match(method, params);
    if (fault?.status === 'drop') {
      call.error = 'dropped connection';
      this.options.log.record(call);
      res.destroy();
      return;
    }
    if (fault) {
      this.refuseCall(res, call, faultBody(fault));
      return;
    }
    if (method === 'getUpdates') {
      this.getUpdates(params, res);
      return;
    }
    try {
      call.result = this.options.methods.call(method, params, files);
      this.options.log.record(call);
      this.reply(res, { ok: true, result: call.result });
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      this.refuseCall(res, call, {
        ok: false,
        error_code: error.errorCode,
        description: error.description,
      });
    }
  }

  /** Records the call with Telegram's description as its `error` and answers with the envelope. */
  private refuseCall(res: ServerResponse, call: RecordedCall, body: TelegramErrorBody): void {
    call.error = body.description;
    this.options.log.record(call);
    this.reply(res, body, body.error_code);
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
    this.polling.active += 1;
    this.polling.maxConcurrent = Math.max(this.polling.maxConcurrent, this.polling.active);
    res.once('close', () => (this.polling.active -= 1));
    const offset = asNumber(params.offset, 0);
    const limit = Math.min(100, Math.max(1, asNumber(params.limit, 100)));
    const timeoutSeconds = Math.max(0, asNumber(params.timeout, 0));
    if (this.options.methods.webhook) {
      this.recordConflict(params, CONFLICT_WEBHOOK);
      this.reply(res, { ok: false, error_code: 409, description: CONFLICT_WEBHOOK }, 409);
      return;
    }
    this.confirm(offset);
    if (this.poll) {
      // Telegram lets one poller in at a time and tells the older one so.
      const older = this.poll;
      this.poll = undefined;
      clearTimeout(older.timer);
      this.recordConflict({ offset: older.offset, limit: older.limit }, CONFLICT_OTHER_POLLER);
      this.polling.conflicts += 1;
      this.reply(
        older.res,
        { ok: false, error_code: 409, description: CONFLICT_OTHER_POLLER },
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

  /** A getUpdates answered 409, recorded with its error so tests can see every conflict. */
  private recordConflict(params: Record<string, unknown>, description: string): void {
    this.options.log.record({
      seq: 0,
      method: 'getUpdates',
      params,
      files: [],
      error: description,
      at: new Date(),
    });
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
