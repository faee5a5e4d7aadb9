import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type Redis from 'ioredis';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  BusErrorPayload,
  DomainError,
  ErrorCode,
  isBusErrorPayload,
  targetServiceOf,
} from '@up/contracts';
import { Correlation } from '@up/logging';
import { BusKeys } from '../bus-keys';
import { BusOptions } from '../bus.options';
import { BusRemoteError } from '../bus.errors';
import { decodeEnvelope, Envelope, EventEnvelope, Reply, RequestEnvelope } from '../envelope.codec';
import {
  createRedisConnection,
  disconnectNow,
  isNoGroupError,
  settlesWithin,
  sleep,
} from '../redis-connection';
import { addBounded, deliveryCounts, ensureGroup, readGroup, StreamEntry } from '../streams';
import { Delivery } from './delivery';
import { InFlightEntries } from './in-flight';
import { Outbox } from './outbox';
import { Reclaimer } from './reclaimer';
import { RedisStreamsContext } from './redis-streams.context';

export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

export interface RedisStreamsServerOptions extends BusOptions {
  /** The service this replica belongs to: its request stream and the name of its consumer groups. */
  service: string;
}

export type BusServerStatus = 'connected' | 'reconnecting' | 'disconnected';

/** A blocking read returns at least this often, so a silently dead connection is noticed. */
const BLOCK_MS = 5000;
const MAX_BACKOFF_MS = 5000;

type State = 'idle' | 'listening' | 'closing' | 'closed';

interface Live {
  options: RedisStreamsServerOptions;
  keys: BusKeys;
  /** Blocking XREADGROUP only. */
  reader: Redis;
  /** Everything else: replies, acks, claims, dead letters (auto-pipelined). */
  commands: Redis;
  reclaimer: Reclaimer;
  outbox: Outbox;
}

/**
 * The serving side of the bus, a Nest custom transport strategy.
 *
 * One consumer group per service (named after it) on the service's request stream and on the
 * stream of every event it subscribes to; this replica is one consumer in those groups. One
 * blocking connection reads all of them with a single XREADGROUP; a second connection carries
 * everything else (replies, acks, claims), auto-pipelined. At most `concurrency` handlers run at
 * once; the loop reads only as many entries as there are free slots, so what is not taken stays
 * in Redis for the other replicas.
 */
export class RedisStreamsServer
  extends Server<Record<string, (...args: unknown[]) => unknown>, BusServerStatus>
  implements CustomTransportStrategy
{
  override readonly transportId = REDIS_STREAMS_TRANSPORT;
  protected override readonly logger = new Logger('Bus');

  /** Set by listen(): what a listening server works with. */
  private live?: Live;
  private state: State = 'idle';
  private streams: string[] = [];
  private readonly queue: Delivery[] = [];
  private readonly inFlight = new InFlightEntries();
  private running = 0;
  private readLoop?: Promise<void>;
  private wakeReader?: () => void;
  private idleWaiters: Array<() => void> = [];
  private readonly routes = new Map<string, string>();

  /**
   * Options may be given late (a function read at listen()), so a microservice can be created
   * before its configuration is resolved from the application's own injector.
   */
  constructor(
    private readonly optionsSource: RedisStreamsServerOptions | (() => RedisStreamsServerOptions),
  ) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /**
   * Graceful stop: no new reads, in-flight handlers finish and are acknowledged, then the
   * connections close. Bounded by `shutdownTimeoutMs`; what is unfinished then stays pending in
   * Redis and another replica claims it.
   */
  async close(): Promise<void> {
    if (this.state !== 'listening') {
      this.disconnectAll();
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    this.live?.reclaimer.stopClaiming();
    // Interrupts the blocked XREADGROUP; entries Redis handed out in that instant stay pending for
    // this consumer and are claimed like any other.
    disconnectNow(this.live?.reader);
    this.wakeReader?.();
    await this.readLoop;
    const finished = await settlesWithin(this.whenIdle(), this.opts.shutdownTimeoutMs);
    if (!finished) {
      this.logger.warn(
        `Bus closed with ${this.inFlight.size} messages unfinished; other replicas will claim them`,
      );
    }
    this.live?.reclaimer.stop();
    this.state = 'closed';
    // QUIT is queued behind the acks and replies already sent on this connection.
    await this.live?.commands.quit().catch(() => disconnectNow(this.live?.commands));
    this._status$.next('disconnected');
  }

  /**
   * Stops at once, as a crash would: nothing more is read, acknowledged or replied. What this
   * replica held stays pending and the other replicas claim it after the idle time.
   */
  destroy(): void {
    this.state = 'closed';
    this.live?.reclaimer.stop();
    this.disconnectAll();
    this.wakeReader?.();
  }

  on(event: string, callback: (...args: unknown[]) => unknown): void {
    for (const connection of [this.live?.reader, this.live?.commands])
      connection?.on(event, callback);
  }

  unwrap<T>(): T {
    return [this.started.reader, this.started.commands] as T;
  }

  /** The streams this replica reads (its request stream and its events' streams). */
  get subscribedStreams(): string[] {
    return [...this.streams];
  }

  private get opts(): RedisStreamsServerOptions {
    return this.started.options;
  }

  private get started(): Live {
    if (!this.live) throw new Error('The bus server is not listening yet');
    return this.live;
  }

  private async start(): Promise<void> {
    const options =
      typeof this.optionsSource === 'function' ? this.optionsSource() : this.optionsSource;
    const keys = new BusKeys(options.prefix);
    this.streams = this.streamsToRead(options.service, keys);
    const name = `${options.service}:${options.consumerName}`;
    const reader = createRedisConnection({ url: options.redisUrl, role: 'reader', name });
    const commands = createRedisConnection({ url: options.redisUrl, role: 'commands', name });
    this.watchConnection(commands);
    reader.on('error', (error: Error) => this.logger.debug?.(`Redis (reader): ${error.message}`));
    const reclaimer = new Reclaimer({
      commands,
      group: options.service,
      consumer: options.consumerName,
      streams: this.streams,
      claimIdleMs: options.claimIdleMs,
      inFlight: this.inFlight,
      capacity: () => this.freeSlots(),
      onClaimed: (deliveries) => this.enqueue(deliveries),
      logger: this.logger,
    });
    const outbox = new Outbox(commands, options.service);
    this.live = { options, keys, reader, commands, reclaimer, outbox };
    try {
      await Promise.all([reader.connect(), commands.connect()]);
      // '$': a service that subscribes now starts with what is sent from now on.
      await this.ensureGroups('$');
    } catch (error) {
      this.disconnectAll();
      throw error;
    }
    this.state = 'listening';
    reclaimer.start();
    this.readLoop = this.readUntilClosed();
    this.logger.log(
      `Bus listening as ${options.service}/${options.consumerName} on ${this.streams.length} streams`,
    );
  }

  private streamsToRead(service: string, keys: BusKeys): string[] {
    const streams = new Set<string>([keys.requestStream(service)]);
    for (const [pattern, handler] of this.getHandlers()) {
      if (handler.isEventHandler) {
        streams.add(keys.eventStream(pattern));
      } else if (targetServiceOf(pattern) !== service) {
        this.logger.warn(
          `Handler for "${pattern}" ignored: requests to it go to service "${targetServiceOf(pattern)}"`,
        );
      }
    }
    return [...streams];
  }

  private async ensureGroups(startId: '$' | '0'): Promise<void> {
    await Promise.all(
      this.streams.map((stream) =>
        ensureGroup(this.started.commands, { stream, name: this.opts.service, startId }),
      ),
    );
  }

  private watchConnection(connection: Redis): void {
    let lostAt: number | undefined;
    connection.on('error', (error: Error) => {
      // ioredis reports every failed reconnection attempt; one line per outage is enough.
      if (lostAt === undefined) {
        lostAt = Date.now();
        this.logger.warn(`Bus lost Redis: ${error.message}; reconnecting`);
      }
    });
    connection.on('reconnecting', () => this._status$.next('reconnecting'));
    connection.on('ready', () => {
      if (lostAt !== undefined)
        this.logger.log(`Bus reconnected to Redis after ${Date.now() - lostAt} ms`);
      lostAt = undefined;
      this._status$.next('connected');
    });
  }

  private disconnectAll(): void {
    disconnectNow(this.live?.reader);
    disconnectNow(this.live?.commands);
  }

  /**
   * Nest resolves a route by trying JSON.parse on every incoming pattern, which throws (slowly) for
   * every plain string pattern; the bus only carries string patterns, so resolve each one once.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    let route = this.routes.get(pattern);
    if (route === undefined) {
      route = this.getRouteFromPattern(pattern);
      if (this.routes.size < 10_000) this.routes.set(pattern, route);
    }
    return this.messageHandlers.get(route) ?? null;
  }

  // ---- reading ---------------------------------------------------------------------------------

  private async readUntilClosed(): Promise<void> {
    const { service: group, consumerName: consumer } = this.opts;
    // On start-up, first this consumer's own pending entries (a previous life of this replica
    // took them and never acknowledged them), then new ones.
    const history = new Map(this.streams.map((stream) => [stream, '0']));
    let backoffMs = 0;
    while (this.state === 'listening') {
      await this.capacityAvailable();
      if (this.state !== 'listening') break;
      const count = this.freeSlots();
      try {
        if (history.size > 0) {
          const batch = await readGroup(this.started.reader, {
            group,
            consumer,
            count,
            cursors: [...history],
          });
          const entries: StreamEntry[] = [];
          for (const [stream, got] of batch) {
            if (got.length === 0) history.delete(stream);
            else history.set(stream, got[got.length - 1].id);
            entries.push(...got);
          }
          this.enqueue(await this.withDeliveryCounts(entries));
        } else {
          const batch = await readGroup(this.started.reader, {
            group,
            consumer,
            count,
            blockMs: BLOCK_MS,
            cursors: this.streams.map((stream) => [stream, '>'] as const),
          });
          for (const entries of batch.values()) this.enqueue(entries);
        }
        backoffMs = 0;
      } catch (error) {
        if (this.state !== 'listening') break;
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), MAX_BACKOFF_MS);
        if (isNoGroupError(error)) {
          // Redis lost the groups (restarted without persistence, or someone deleted the stream):
          // recreate them from the beginning of the stream, whose entries are all new.
          this.logger.warn('Bus consumer groups missing; recreating them');
          await this.ensureGroups('0').catch((e: unknown) =>
            this.logger.warn(`Bus: ${(e as Error).message}`),
          );
          history.clear();
        } else {
          this.logger.warn(
            `Bus read failed (${(error as Error).message}); retrying in ${backoffMs} ms`,
          );
        }
        await sleep(backoffMs);
      }
    }
  }

  private async withDeliveryCounts(entries: StreamEntry[]): Promise<Delivery[]> {
    const byStream = new Map<string, StreamEntry[]>();
    for (const entry of entries)
      byStream.set(entry.stream, [...(byStream.get(entry.stream) ?? []), entry]);
    const result: Delivery[] = [];
    for (const [stream, list] of byStream) {
      const counts = await deliveryCounts(this.started.commands, {
        stream,
        group: this.opts.service,
        consumer: this.opts.consumerName,
        ids: list.map((entry) => entry.id),
      });
      result.push(...list.map((entry) => ({ ...entry, deliveries: counts.get(entry.id) ?? 1 })));
    }
    return result;
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private freeSlots(): number {
    return Math.max(0, this.opts.concurrency - this.running - this.queue.length);
  }

  private capacityAvailable(): Promise<void> {
    if (this.freeSlots() > 0) return Promise.resolve();
    return new Promise((resolve) => (this.wakeReader = resolve));
  }

  private whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(deliveries: Delivery[]): void {
    for (const delivery of deliveries) {
      // Already here (queued or running): a late heartbeat let it be claimed back; never run twice.
      if (this.inFlight.add(delivery.stream, delivery.id)) this.queue.push(delivery);
    }
    this.pump();
  }

  private pump(): void {
    while (
      this.running < this.opts.concurrency &&
      this.queue.length > 0 &&
      this.state !== 'closed'
    ) {
      const delivery = this.queue.shift() as Delivery;
      this.running++;
      void this.runDelivery(delivery);
    }
  }

  private async runDelivery(delivery: Delivery): Promise<void> {
    try {
      await this.process(delivery);
    } catch (error) {
      // process() answers handler failures itself; this is Redis failing under it. The entry stays
      // pending and is claimed again after the idle time.
      this.logger.error(
        `Bus failed on ${delivery.stream} ${delivery.id}: ${(error as Error).message}`,
      );
    } finally {
      this.running--;
      this.inFlight.delete(delivery.stream, delivery.id);
      this.pump();
      if (this.freeSlots() > 0) {
        this.wakeReader?.();
        this.wakeReader = undefined;
      }
      if (this.running === 0 && this.queue.length === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      }
    }
  }

  // ---- handling --------------------------------------------------------------------------------

  private async process(delivery: Delivery): Promise<void> {
    if (delivery.fields === null) {
      // Trimmed away while it was pending: nothing left to run.
      await this.acknowledge(delivery);
      return;
    }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(delivery.fields);
    } catch (error) {
      await this.deadLetter(delivery, (error as Error).message);
      return;
    }
    if (delivery.deliveries > this.opts.maxDeliveries) {
      await this.deadLetter(
        delivery,
        `delivered ${delivery.deliveries - 1} times and never acknowledged (its handlers crashed or hung)`,
      );
      return;
    }
    const context = new RedisStreamsContext([
      delivery.stream,
      delivery.id,
      envelope.pattern,
      delivery.deliveries,
      envelope.kind === 'event' ? envelope.eventId : undefined,
      envelope.kind === 'event' ? envelope.occurredAt : undefined,
    ]);
    if (envelope.kind === 'request') await this.handleRequestEntry(delivery, envelope, context);
    else await this.handleEventEntry(delivery, envelope, context);
  }

  /** A request always ends in a reply and an ack, even when the handler failed: its caller decides. */
  private async handleRequestEntry(
    delivery: Delivery,
    request: RequestEnvelope,
    context: RedisStreamsContext,
  ): Promise<void> {
    if (Date.now() > request.deadline) {
      // The caller gave up already; running the handler now would only do unseen work.
      this.logger.warn(`Bus skipped "${request.pattern}": its caller stopped waiting`);
      await this.acknowledge(delivery);
      return;
    }
    const handler = this.getHandlerByPattern(request.pattern);
    let reply: Reply;
    if (!handler) {
      reply = {
        id: request.id,
        err: {
          status: 503,
          code: ErrorCode.SERVICE_UNAVAILABLE,
          message: `No handler for "${request.pattern}" on this replica of ${this.opts.service}`,
        },
      };
    } else {
      try {
        const response = await this.invoke(handler, request, context);
        const packet = this.serializer.serialize({
          id: request.id,
          response,
          isDisposed: true,
        }) as { response?: unknown };
        reply = { id: request.id, response: packet.response };
      } catch (error) {
        reply = { id: request.id, err: toErrorPayload(error) };
      }
    }
    // Both go out in the same flush (reply first), so one promise covers them.
    void this.started.outbox.reply(request.replyTo, reply);
    await this.acknowledge(delivery);
  }

  /**
   * An event is acknowledged only when its handlers succeeded; a failure leaves it pending, the
   * reclaimer hands it out again after the idle time, and after maxDeliveries it is dead-lettered.
   */
  private async handleEventEntry(
    delivery: Delivery,
    event: EventEnvelope,
    context: RedisStreamsContext,
  ): Promise<void> {
    const handler = this.getHandlerByPattern(event.pattern);
    if (!handler) {
      await this.acknowledge(delivery);
      return;
    }
    try {
      for (
        let next: MessageHandler | undefined = handler;
        next;
        next = next.next as MessageHandler | undefined
      ) {
        await this.invoke(next, event, context);
      }
    } catch (error) {
      const reason = describeFailure(error);
      if (delivery.deliveries >= this.opts.maxDeliveries) {
        await this.deadLetter(delivery, reason);
      } else {
        this.logger.warn(
          `Bus event "${event.pattern}" failed (delivery ${delivery.deliveries} of ${this.opts.maxDeliveries}): ${reason}; will retry`,
        );
      }
      return;
    }
    await this.acknowledge(delivery);
  }

  /** Runs a Nest handler (guards, pipes, interceptors, filters included) in the message's correlation context. */
  private invoke(
    handler: MessageHandler,
    envelope: Envelope,
    context: RedisStreamsContext,
  ): Promise<unknown> {
    const { data } = this.deserializer.deserialize({
      pattern: envelope.pattern,
      data: envelope.data,
    }) as { data: unknown };
    return Correlation.run(envelope.correlationId, () =>
      new Promise<unknown>((resolve, reject) => {
        // Nest's hook (tracing, ...) decides when the handler runs; the default runs it at once.
        this.onProcessingStartHook(this.transportId, context, () => {
          const run = this.runHandler(handler, data, context);
          run.then(resolve, reject);
          return run;
        });
      }).finally(() => this.onProcessingEndHook?.(this.transportId, context)),
    );
  }

  /** A Nest handler resolves to a value or an Observable (interceptors, filters); take its last value. */
  private async runHandler(
    handler: MessageHandler,
    data: unknown,
    context: RedisStreamsContext,
  ): Promise<unknown> {
    const result: unknown = await handler(data, context);
    return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
  }

  private acknowledge(delivery: Delivery): Promise<unknown> {
    return this.started.outbox.ack(delivery.stream, delivery.id);
  }

  private async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    const stream = this.started.keys.deadLetterStream(delivery.stream);
    this.logger.error(`Bus moved ${delivery.stream} ${delivery.id} to ${stream}: ${reason}`);
    await addBounded(this.started.commands, {
      stream,
      maxLen: this.opts.streamMaxLen,
      fields: [
        ...(delivery.fields ?? []),
        'dlq_reason',
        reason,
        'dlq_stream',
        delivery.stream,
        'dlq_id',
        delivery.id,
        'dlq_group',
        this.opts.service,
        'dlq_deliveries',
        String(delivery.deliveries),
        'dlq_at',
        new Date().toISOString(),
      ],
    });
    await this.acknowledge(delivery);
  }
}

/** What travels back to the caller for any failure, whoever produced it. */
export function toErrorPayload(error: unknown): BusErrorPayload {
  if (isBusErrorPayload(error)) return error;
  if (error instanceof DomainError) return error.toPayload();
  if (error instanceof BusRemoteError) return error.payload;
  // Only reachable without BusExceptionFilter (which logs with an error id); never leak internals.
  return { status: 500, code: ErrorCode.INTERNAL, message: 'Internal error' };
}

function describeFailure(error: unknown): string {
  if (isBusErrorPayload(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
