import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { Backoff, pause } from './backoff';
import {
  callTelegram,
  describeFailure,
  isUnauthorized,
  TokenRefusedError,
} from './telegram-api-errors';
import { ALLOWED_UPDATES, UpdateSink } from './update-source';
import type { UpdateSource } from './update-source';
import { receivingUpdates } from './telegram.metrics';

/** Telegram's updates are a few kilobytes; anything far larger is not Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookReceiverOptions {
  telegram: Telegram;
  sink: UpdateSink;
  /** The public URL registered with setWebhook; its path is the one served. */
  url: string;
  secret: string;
  port: number;
}

/** Compares in constant time: SHA-256 first, so lengths match and nothing leaks through them. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Webhook mode: every replica serves the webhook's path on BOT_HTTP_PORT behind one Service, and
 * registers the webhook with setWebhook (same URL and secret from every replica, so it is
 * idempotent; retried with backoff in the background while the server already serves).
 *
 * A request must carry the secret in X-Telegram-Bot-Api-Secret-Token (401 otherwise). The update
 * is answered 200 at once and handled afterwards: Telegram waits for the answer before it sends
 * the chat's next update, so a slow handler would hold the whole chat up. The sink drops an
 * update_id another replica (or an earlier delivery) already took.
 *
 * A plain node:http server: one route, no middleware, and the bot stays a Nest application
 * context (no HTTP framework to wire for one POST).
 */
export class WebhookReceiver implements UpdateSource {
  private readonly logger = new Logger(WebhookReceiver.name);
  private readonly stopping = new AbortController();
  private readonly path: string;
  private server?: Server;
  private running?: Promise<void>;

  constructor(private readonly options: WebhookReceiverOptions) {
    this.path = new URL(options.url).pathname;
  }

  get description(): string {
    return `webhook mode (serving ${this.path} on port ${this.port ?? this.options.port})`;
  }

  /** The port the webhook is served on, once listening. */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  run(): Promise<void> {
    this.running ??= this.serve();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async serve(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.logger.log(`Serving the Telegram webhook on port ${this.port}, path ${this.path}`);
    const received = receivingUpdates('webhook');
    try {
      await this.register(this.stopping.signal);
      await untilAborted(this.stopping.signal);
    } finally {
      received();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
  }

  private async register(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff();
    while (!signal.aborted) {
      try {
        await callTelegram(
          this.options.telegram,
          'setWebhook',
          {
            url: this.options.url,
            secret_token: this.options.secret,
            drop_pending_updates: false,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          signal,
        );
        this.logger.log('Webhook registered with Telegram');
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (isUnauthorized(error)) throw new TokenRefusedError('setWebhook');
        const delay = backoff.next();
        this.logger.warn(
          { reason: describeFailure(error), attempt: backoff.attempts, retryInMs: delay },
          'setWebhook failed; retrying',
        );
        await pause(delay, signal);
      }
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://webhook').pathname;
    if (path !== this.path) return this.refuse(req, res, 404);
    if (req.method !== 'POST') return this.refuse(req, res, 405);
    const given = req.headers['x-telegram-bot-api-secret-token'];
    if (typeof given !== 'string' || !sameSecret(given, this.options.secret)) {
      return this.refuse(req, res, 401);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        this.refuse(req, res, 413);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const update = parseUpdate(Buffer.concat(chunks));
      if (!update) return this.refuse(req, res, 400);
      res.writeHead(200, { 'content-length': 0 }).end();
      void this.options.sink([update]);
    });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
    req.resume();
    if (res.writableEnded) return;
    res.writeHead(status, { 'content-length': 0 }).end();
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

function parseUpdate(body: Buffer): Update | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const updateId = (value as { update_id?: unknown }).update_id;
    return typeof updateId === 'number' && Number.isInteger(updateId)
      ? (value as Update)
      : undefined;
  } catch {
    return undefined;
  }
}
