import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import type { RedisClient } from '@up/config';
import { Observable } from 'rxjs';
import { BusMessageKind, targetServiceOf } from '@up/contracts';
import { Correlation } from '@up/logging';
import { BusKeys } from '../bus-keys';
import { endSpanWith, producerContextOf, startRequestSpan, TraceCarrier } from '../bus-tracing';
import { BusOptions } from '../bus.options';
import { BusMetrics } from '../bus-metrics';
import { BusRemoteError, BusTimeoutError, BusUnavailableError } from '../bus.errors';
import {
  decodeReplies,
  encodeSignedEnvelope,
  Reply,
  Signer,
  splitSignedReplies,
} from '../envelope.codec';
import { createRedisConnection, disconnectNow, writeInOneGo } from '../redis-connection';
import { addBounded } from '../streams';

export type BusConnectionStatus = 'connected' | 'reconnecting' | 'disconnected';

interface PendingCall {
  pattern: string;
  /** performance.now() after which the call fails with BusTimeoutError. */
  deadline: number;
  timeoutMs: number;
  settle: (packet: WritePacket) => void;
}

/** An event as the bus sends it: its name, payload, identity and the trace context it was produced in. */
export interface OutgoingEvent extends TraceCarrier {
  pattern: string;
  data: unknown;
  eventId: string;
  occurredAt: string;
  correlationId?: string;
}

export interface RequestOptions {
  /** Overrides the configured BUS_REQUEST_TIMEOUT_MS for this call. */
  timeoutMs?: number;
}

/**
 * The calling side of the bus, a Nest ClientProxy.
 *
 * Requests go onto the target service's request stream; the reply comes back on this instance's
 * own pub/sub channel (`<prefix>:bus:reply:<sender>:<instanceId>`) and is matched to the waiting call by
 * id. Pub/sub suits replies: only this instance listens, a reply is only useful while the caller
 * still waits, and nothing is left behind in Redis when an instance goes away. The caller's timer
 * starts before anything touches Redis, so no call outlives its timeout, whatever Redis does.
 *
 * Every request and event is signed as this app (BusOptions.sender); a reply counts only when it
 * is signed by the service the request went to, so nobody else can answer in its name.
 */
export class RedisStreamsClient extends ClientProxy<Record<string, never>, BusConnectionStatus> {
  readonly instanceId: string;
  private readonly keys: BusKeys;
  private readonly replyChannel: string;
  private readonly logger = new Logger(RedisStreamsClient.name);
  private readonly calls = new Map<string, PendingCall>();
  /**
   * One timer for every waiting call, due at the earliest deadline (a timer per call costs an
   * object, an async context and two timer-list updates per request); it fails what is due and
   * re-arms for the next deadline. A call fails on time whatever its own timeout.
   */
  private timer?: NodeJS.Timeout;
  private timerDue = Number.POSITIVE_INFINITY;
  private readonly signRequest: Signer;
  private readonly signEvent: Signer;
  private commands?: RedisClient;
  private replies?: RedisClient;
  private subscribed?: Promise<void>;
  /** The reply channel is subscribed (ioredis keeps it so across reconnections). */
  private ready = false;

  constructor(private readonly options: BusOptions & { instanceId?: string }) {
    super();
    this.keys = new BusKeys(options.prefix);
    this.instanceId = options.instanceId ?? `${options.consumerName}-${randomUUID().slice(0, 8)}`;
    this.replyChannel = this.keys.replyChannel(options.sender, this.instanceId);
    this.signRequest = this.signerFor('request');
    this.signEvent = this.signerFor('event');
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  /** Subscribes to the reply channel; resolves once replies can be received. */
  connect(): Promise<void> {
    this.subscribed ??= this.subscribe().catch((error: unknown) => {
      // Let the next call try again; ioredis keeps reconnecting meanwhile.
      this.subscribed = undefined;
      throw error;
    });
    return this.subscribed;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    for (const [id, call] of this.calls) {
      this.calls.delete(id);
      call.settle({ err: new Error(`Bus client closed before "${call.pattern}" was answered`) });
    }
    const connections = [this.commands, this.replies].filter(
      (c): c is RedisClient => c !== undefined,
    );
    this.commands = undefined;
    this.replies = undefined;
    this.subscribed = undefined;
    this.ready = false;
    await Promise.all(connections.map((c) => c.quit().catch(() => disconnectNow(c))));
    this._status$.next('disconnected');
  }

  unwrap<T>(): T {
    return [this.connections().commands, this.connections().replies] as T;
  }

  /**
   * Sends a request and resolves with the handler's answer; rejects with BusRemoteError (the
   * handler's error payload) or BusTimeoutError.
   */
  request<TResponse>(
    pattern: string,
    data: unknown,
    options: RequestOptions = {},
  ): Promise<TResponse> {
    return new Promise<TResponse>((resolve, reject) => {
      this.dispatchRequest({
        pattern,
        data,
        timeoutMs: options.timeoutMs ?? this.options.requestTimeoutMs,
        settle: (packet) =>
          packet.err ? reject(packet.err) : resolve(packet.response as TResponse),
      });
    });
  }

  /** Appends an event to its stream; resolves once Redis stored it. */
  publishEvent(pattern: string, data: unknown): Promise<void> {
    const eventId = randomUUID();
    return this.publishEvents([
      {
        pattern,
        data,
        eventId,
        occurredAt: new Date().toISOString(),
        correlationId: Correlation.id(),
        ...producerContextOf({ pattern, eventId }),
      },
    ]);
  }

  /**
   * Appends events to their streams in one round trip (a pipeline, in order); resolves once Redis
   * stored every one, rejects if any failed (those before it may be stored: delivery is
   * at-least-once, and consumers deduplicate by event id). `whenConnected` refuses at once while
   * the connection is down instead of queueing until it is back.
   */
  async publishEvents(
    events: readonly OutgoingEvent[],
    options: { whenConnected?: boolean } = {},
  ): Promise<void> {
    if (events.length === 0) return;
    const { commands } = this.connections();
    // A lazy connection opens on first use.
    if (options.whenConnected && commands.status === 'wait') {
      await commands.connect().catch(() => undefined);
    }
    if (options.whenConnected && commands.status !== 'ready') {
      // A caller that keeps the events itself (the outbox) retries later; queueing them in
      // ioredis's offline queue instead would send one copy per retry once Redis is back.
      throw new BusUnavailableError(`Redis is ${commands.status}`);
    }
    const adds = events.map((event) => [
      'XADD',
      this.keys.eventStream(event.pattern),
      'MAXLEN',
      '~',
      this.options.streamMaxLen,
      '*',
      ...encodeSignedEnvelope({ kind: 'event', ...event }, this.signEvent),
    ]);
    const timeoutMs = this.options.requestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    // Bounded like a request: an emit never hangs on an unreachable Redis.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BusTimeoutError(events[0].pattern, timeoutMs)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([appendAll(commands, adds), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * ClientProxy.send() first awaits connect(), which could wait on an unreachable Redis without
   * any timeout running; here the call's timer starts at once and covers the connection too.
   */
  override send<TResult = unknown, TInput = unknown>(
    pattern: unknown,
    data: TInput,
  ): Observable<TResult> {
    return new Observable<TResult>((observer) =>
      this.publish({ pattern, data }, this.createObserver(observer)),
    );
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = this.dispatchRequest({
      pattern: this.normalizePattern(packet.pattern),
      data: packet.data,
      timeoutMs: this.options.requestTimeoutMs,
      settle: callback,
    });
    return () => this.forget(id);
  }

  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    return this.publishEvent(this.normalizePattern(packet.pattern), packet.data) as Promise<T>;
  }

  private dispatchRequest(args: {
    pattern: string;
    data: unknown;
    timeoutMs: number;
    settle: (packet: WritePacket) => void;
  }): string {
    const { pattern, data, timeoutMs } = args;
    const id = randomUUID();
    let stream: string;
    try {
      stream = this.keys.requestStreamOf(pattern);
    } catch (error) {
      args.settle({ err: error });
      return id;
    }
    const trace = startRequestSpan({ pattern, stream });
    const settle = (packet: WritePacket): void => {
      endSpanWith(trace.span, packet.err ?? undefined);
      args.settle(packet);
    };
    const deadline = performance.now() + timeoutMs;
    this.calls.set(id, { pattern, deadline, timeoutMs, settle });
    if (deadline < this.timerDue) this.armTimer(deadline);

    const fields = encodeSignedEnvelope(
      {
        kind: 'request',
        id,
        pattern,
        data: (this.serializer.serialize({ pattern, data, id }) as ReadPacket).data,
        // Without a correlation id of its own, the call's id serves: unique, and both sides log it.
        correlationId: Correlation.id() ?? id,
        replyTo: this.replyChannel,
        deadline: Date.now() + timeoutMs,
        traceparent: trace.carrier.traceparent,
        tracestate: trace.carrier.tracestate,
      },
      this.signRequest,
    );
    const { commands } = this.connections();
    const maxLen = this.options.requestStreamMaxLen;
    const add = () =>
      trace.within(() => {
        // The requests sent in this tick leave in one write.
        writeInOneGo(commands);
        return addBounded(commands, { stream, maxLen, fields });
      });
    // Once subscribed, straight to the XADD (no extra promise hop per call).
    (this.ready ? add() : this.connect().then(add)).catch((error: unknown) => {
      // The timer answers the caller; a failed write is only worth a log line.
      if (this.calls.has(id)) {
        this.logger.warn(`Bus request "${pattern}" not sent yet: ${(error as Error).message}`);
      }
    });
    return id;
  }

  private forget(id: string): boolean {
    if (!this.calls.delete(id)) return false;
    if (this.calls.size === 0) {
      // Nothing left to time out: no timer keeps an idle process alive.
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
    }
    return true;
  }

  private armTimer(due: number): void {
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.expireDue(), Math.max(0, due - performance.now()));
  }

  /** Fails every call whose deadline passed, then waits for the next deadline. */
  private expireDue(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const due: PendingCall[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [id, call] of this.calls) {
      if (call.deadline > now) {
        next = Math.min(next, call.deadline);
      } else {
        this.calls.delete(id);
        due.push(call);
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next);
    for (const call of due) {
      BusMetrics.of().clientTimeout(call.pattern);
      call.settle({ err: new BusTimeoutError(call.pattern, call.timeoutMs) });
    }
  }

  private signerFor(kind: BusMessageKind): Signer {
    const { sender, senderOf, keyring } = this.options;
    return (pattern, message) => {
      const as = senderOf ? senderOf(kind, pattern) : sender;
      return { sender: as, signature: keyring.sign(as, message) };
    };
  }

  private onReplies(raw: string): void {
    const signed = splitSignedReplies(raw);
    if (!signed || !this.options.keyring.verify(signed.sender, signed.message, signed.signature)) {
      // Forged or garbled: whoever sent it is not a party this app trusts. The real reply may
      // still come; the caller's timeout covers the rest.
      this.logger.warn(
        `Ignored a bus reply that does not verify${signed ? ` as "${signed.sender}"` : ''}`,
      );
      return;
    }
    const replies = decodeReplies(signed.message);
    if (replies.length === 0) this.logger.warn('Ignored a malformed bus reply');
    for (const reply of replies) this.onReply(reply, signed.sender);
  }

  private onReply(reply: Reply, sender: string): void {
    const call = this.calls.get(reply.id);
    // A late reply to a call that already timed out: nobody is waiting any more.
    if (!call) return;
    if (targetServiceOf(call.pattern) !== sender) {
      // Signed, but by a party that was not asked: only the target service answers its requests.
      this.logger.warn(`Ignored a reply to "${call.pattern}" signed by "${sender}"`);
      return;
    }
    if (!this.forget(reply.id)) return;
    if (reply.err) {
      call.settle({ err: new BusRemoteError(reply.err, call.pattern) });
    } else {
      call.settle({ response: this.deserializeReply(reply.response), isDisposed: true });
    }
  }

  private deserializeReply(response: unknown): unknown {
    // Nest's ClientProxy completes without a value on `undefined`; null keeps "answered, empty".
    return response === undefined ? null : response;
  }

  private connections(): { commands: RedisClient; replies: RedisClient } {
    if (!this.commands || !this.replies) {
      const name = this.instanceId;
      const { redisUrl: url, redisClusterNodes: clusterNodes } = this.options;
      this.commands = createRedisConnection({ url, clusterNodes, role: 'commands', name });
      this.replies = createRedisConnection({ url, clusterNodes, role: 'replies', name });
      this.replies.on('message', (channel: string, message: string) => {
        if (channel === this.replyChannel) this.onReplies(message);
      });
      for (const connection of [this.commands, this.replies]) {
        connection.on('error', (error: Error) => this.logger.debug?.(`Redis: ${error.message}`));
      }
      this.commands.on('ready', () => this._status$.next('connected'));
      this.commands.on('reconnecting', () => this._status$.next('reconnecting'));
    }
    return { commands: this.commands, replies: this.replies };
  }

  private async subscribe(): Promise<void> {
    const { replies } = this.connections();
    // ioredis re-subscribes by itself after a reconnection; this is the first subscription.
    await replies.subscribe(this.replyChannel);
    this.ready = true;
  }
}

/**
 * Runs XADDs in one round trip, in order: one write on one Redis (`writeInOneGo`); on a cluster,
 * the connection's auto-pipelining sends those of one node in one write (a cluster pipeline may
 * only name keys of one node). Like a pipeline, every XADD runs even if one before it failed.
 */
async function appendAll(redis: RedisClient, adds: Array<Array<string | number>>): Promise<void> {
  writeInOneGo(redis);
  await Promise.all(adds.map(([command, ...args]) => redis.call(String(command), ...args)));
}
