import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type { RedisClient } from '@up/config';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  BusErrorPayload,
  ErrorCode,
  errorPayloadOf,
  isBusErrorPayload,
  targetServiceOf,
} from '@up/contracts';
import { Correlation } from '@up/logging';
import { BusKeys } from '../bus-keys';
import { BusMetrics, BusOutcome, UNMATCHED_PATTERN } from '../bus-metrics';
import { BusOptions } from '../bus.options';
import { withConsumerSpan } from '../bus-tracing';
import {
  decodeMessage,
  Envelope,
  entryFieldsOf,
  EntryFields,
  EventEnvelope,
  Reply,
  RequestEnvelope,
} from '../envelope.codec';
import { createRedisConnection, disconnectNow, settlesWithin } from '../redis-connection';
import { groupBySlot } from '../hash-slot';
import { ensureGroup } from '../streams';
import { DeadLetters } from './dead-letters';
import { Delivery } from './delivery';
import { InFlightEntries } from './in-flight';
import { Outbox } from './outbox';
import { ReadLoop } from './read-loop';
import { Reclaimer } from './reclaimer';
import { RedisStreamsContext } from './redis-streams.context';
import { Scheduler } from './scheduler';

export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

export interface RedisStreamsServerOptions extends BusOptions {
  /** The service this replica belongs to: its request stream and the name of its consumer groups. */
  service: string;
}

export type BusServerStatus = 'connected' | 'reconnecting' | 'disconnected';

type State = 'idle' | 'listening' | 'closing' | 'closed';

interface Live {
  options: RedisStreamsServerOptions;
  keys: BusKeys;
  /**
   * Blocking XREADGROUP only: one connection per group of streams read together (all of them on
   * one Redis; one group per hash slot on a Redis Cluster, which refuses a command naming keys of
   * several slots, and where a blocked connection would hold up the other groups' reads).
   */
  readers: RedisClient[];
  /** Everything else: replies, acks, claims, dead letters (a batch in one write). */
  commands: RedisClient;
  scheduler: Scheduler;
  reclaimer: Reclaimer;
  outbox: Outbox;
  deadLetters: DeadLetters;
}

/**
 * The serving side of the bus, a Nest custom transport strategy.
 *
 * One consumer group per service (named after it) on the service's request stream and on the
 * stream of every event it subscribes to; this replica is one consumer in those groups. One
 * blocking connection reads all of them with a single XREADGROUP (on a Redis Cluster: one
 * connection and one XREADGROUP per hash slot of the streams); a second connection carries
 * everything else (replies, acks, claims), a batch in one write. This class wires the parts together
 * and runs Nest's handlers: the ReadLoop reads, the Scheduler bounds how many handlers run at
 * once, the Reclaimer recovers entries left pending, the Outbox batches acks and replies, and
 * DeadLetters takes what cannot be handled.
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
  private readonly inFlight = new InFlightEntries();
  private readLoop?: Promise<void>;
  private readonly routes = new Map<string, string>();
  private readonly metrics = BusMetrics.of();
  private unwatchMetrics?: () => void;
  private readLoopRunning = false;

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
    this.unwatchMetrics?.();
    if (this.state !== 'listening') {
      this.disconnectAll();
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    this.live?.reclaimer.stopClaiming();
    // Interrupts the blocked XREADGROUP; entries Redis handed out in that instant stay pending for
    // this consumer and are claimed like any other.
    for (const reader of this.live?.readers ?? []) disconnectNow(reader);
    this.live?.scheduler.wake();
    await this.readLoop;
    const finished = await settlesWithin(
      this.started.scheduler.whenIdle(),
      this.opts.shutdownTimeoutMs,
    );
    if (!finished) {
      this.logger.warn(
        `Bus closed with ${this.inFlight.size} messages unfinished; other replicas will claim them`,
      );
    }
    this.live?.reclaimer.stop();
    this.state = 'closed';
    this.live?.scheduler.stop();
    // QUIT is queued behind the acks and replies already sent on this connection.
    await this.live?.commands.quit().catch(() => disconnectNow(this.live?.commands));
    this._status$.next('disconnected');
  }

  /**
   * Stops at once, as a crash would: nothing more is read, acknowledged or replied. What this
   * replica held stays pending and the other replicas claim it after the idle time.
   */
  destroy(): void {
    this.unwatchMetrics?.();
    this.state = 'closed';
    this.live?.scheduler.stop();
    this.live?.reclaimer.stop();
    this.disconnectAll();
    this.live?.scheduler.wake();
  }

  on(event: string, callback: (...args: unknown[]) => unknown): void {
    for (const connection of [...(this.live?.readers ?? []), this.live?.commands])
      connection?.on(event, callback);
  }

  unwrap<T>(): T {
    return [...this.started.readers, this.started.commands] as T;
  }

  /**
   * Whether this replica's consumer loop runs: it listens, its read loop has not ended and its
   * blocking connection is up (the pod's readiness).
   */
  get consuming(): boolean {
    return (
      this.state === 'listening' &&
      this.readLoopRunning &&
      (this.live?.readers.every((reader) => reader.status === 'ready') ?? false)
    );
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
    const url = options.redisUrl;
    const clusterNodes = options.redisClusterNodes;
    // One Redis: one read for every stream, as fast as it gets. A cluster: one per slot.
    const readGroups = clusterNodes ? groupBySlot(this.streams) : [this.streams];
    const readers = readGroups.map(() =>
      createRedisConnection({ url, clusterNodes, role: 'reader', name }),
    );
    const commands = createRedisConnection({ url, clusterNodes, role: 'commands', name });
    this.watchConnection(commands);
    for (const reader of readers)
      reader.on('error', (error: Error) => this.logger.debug?.(`Redis (reader): ${error.message}`));
    const metricsSource = {
      service: options.service,
      streamLabel: (stream: string) => keys.shortName(stream),
    };
    const scheduler = new Scheduler({
      concurrency: options.concurrency,
      inFlight: this.inFlight,
      run: (delivery) => this.process(delivery),
      logger: this.logger,
    });
    const reclaimer = new Reclaimer({
      commands,
      group: options.service,
      consumer: options.consumerName,
      streams: this.streams,
      claimIdleMs: options.claimIdleMs,
      inFlight: this.inFlight,
      capacity: () => scheduler.freeSlots(),
      onClaimed: (deliveries) => {
        for (const { stream } of deliveries) this.metrics.reclaimed(metricsSource, stream, 1);
        scheduler.enqueue(deliveries);
      },
      logger: this.logger,
    });
    const requestStream = keys.requestStream(options.service);
    const outbox = new Outbox(commands, {
      group: options.service,
      deletesAfterAck: (stream) => stream === requestStream,
      sign: (message) => ({
        sender: options.service,
        signature: options.keyring.sign(options.service, message),
      }),
    });
    const deadLetters = new DeadLetters({
      commands,
      keys,
      group: options.service,
      streamMaxLen: options.streamMaxLen,
      outbox,
      logger: this.logger,
    });
    this.live = { options, keys, readers, commands, scheduler, reclaimer, outbox, deadLetters };
    try {
      await Promise.all([...readers, commands].map((connection) => connection.connect()));
      // '$': a service that subscribes now starts with what is sent from now on.
      await this.ensureGroups('$');
    } catch (error) {
      this.disconnectAll();
      throw error;
    }
    this.state = 'listening';
    this.unwatchMetrics = this.metrics.watch({
      ...metricsSource,
      streams: () => this.streams,
      redis: () => this.live?.commands,
      inFlight: () => this.inFlight.size,
    });
    reclaimer.start();
    this.readLoopRunning = true;
    this.readLoop = Promise.all(
      readGroups.map((streams, i) =>
        new ReadLoop({
          reader: readers[i],
          commands,
          group: options.service,
          consumer: options.consumerName,
          streams,
          scheduler,
          isListening: () => this.state === 'listening',
          recreateGroups: () => this.ensureGroups('0', streams),
          logger: this.logger,
        }).run(),
      ),
    )
      .then(() => undefined)
      .finally(() => {
        this.readLoopRunning = false;
      });
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

  private async ensureGroups(startId: '$' | '0', streams = this.streams): Promise<void> {
    await Promise.all(
      streams.map((stream) =>
        ensureGroup(this.started.commands, { stream, name: this.opts.service, startId }),
      ),
    );
  }

  private watchConnection(connection: RedisClient): void {
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
    for (const reader of this.live?.readers ?? []) disconnectNow(reader);
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

  // ---- handling --------------------------------------------------------------------------------

  private async process(delivery: Delivery): Promise<void> {
    if (delivery.fields === null) {
      // Trimmed away while it was pending: nothing left to run.
      await this.acknowledge(delivery);
      return;
    }
    const entry = entryFieldsOf(delivery.fields);
    let envelope: Envelope;
    try {
      envelope = decodeMessage(entry.message);
    } catch (error) {
      await this.deadLetter(delivery, UNMATCHED_PATTERN, (error as Error).message);
      return;
    }
    if (delivery.deliveries > this.opts.maxDeliveries) {
      await this.deadLetter(
        delivery,
        this.patternLabel(envelope.pattern),
        `delivered ${delivery.deliveries - 1} times and never acknowledged (its handlers crashed or hung)`,
      );
      return;
    }
    const refusal = this.refusalOf(entry, envelope);
    if (refusal) {
      await this.refuse(delivery, envelope, refusal);
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

  /**
   * Why this message may not run, if it may not: its signature does not verify under the key of
   * the party it names, or that party is not among the pattern's allowed senders (@up/contracts).
   * Checked before any handler, on every delivery.
   */
  private refusalOf(entry: EntryFields, envelope: Envelope): string | undefined {
    const { sender, signature, message } = entry;
    if (sender === undefined || signature === undefined || message === undefined) {
      return 'it is not signed';
    }
    if (!this.opts.keyring.verify(sender, message, signature)) {
      return `its signature does not verify as "${sender}"`;
    }
    const allowed = this.opts.access(envelope.kind, envelope.pattern);
    if (!allowed) return 'the pattern has no allow-list';
    if (!allowed.includes(sender)) return `"${sender}" may not send it`;
    return undefined;
  }

  /** A refused request is answered FORBIDDEN; a refused event is dropped. Both are logged and acked. */
  private async refuse(delivery: Delivery, envelope: Envelope, reason: string): Promise<void> {
    this.logger.warn(
      `Bus refused ${envelope.kind} "${envelope.pattern}" (${delivery.stream} ${delivery.id}): ${reason}`,
    );
    if (envelope.kind === 'request') {
      void this.started.outbox.reply(envelope.replyTo, {
        id: envelope.id,
        err: {
          status: 403,
          code: ErrorCode.FORBIDDEN,
          message: `Refused "${envelope.pattern}": the sender may not send it`,
        },
      });
    }
    await this.acknowledge(delivery);
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
    const started = performance.now();
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
        reply = { id: request.id, err: replyErrorOf(error) };
      }
    }
    this.countHandled({
      pattern: handler ? request.pattern : UNMATCHED_PATTERN,
      outcome: reply.err === undefined ? 'ok' : reply.err.status < 500 ? 'domain_error' : 'failed',
      started,
    });
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
    const started = performance.now();
    try {
      // The head alone: Nest's listeners controller chains every @EventPattern handler of this
      // pattern behind it (`next`) and runs them together, failing if any one failed.
      await this.invoke(handler, event, context);
    } catch (error) {
      const reason = describeFailure(error);
      this.countHandled({ pattern: event.pattern, outcome: 'failed', started });
      if (delivery.deliveries >= this.opts.maxDeliveries) {
        await this.deadLetter(delivery, event.pattern, reason);
      } else {
        this.logger.warn(
          `Bus event "${event.pattern}" failed (delivery ${delivery.deliveries} of ${this.opts.maxDeliveries}): ${reason}; will retry`,
        );
      }
      return;
    }
    this.countHandled({ pattern: event.pattern, outcome: 'ok', started });
    await this.acknowledge(delivery);
  }

  // ---- metrics (bus-metrics.ts) ----------------------------------------------------------------

  /** A pattern as a metric label: only patterns this replica handles, so labels stay bounded. */
  private patternLabel(pattern: string): string {
    return this.getHandlerByPattern(pattern) ? pattern : UNMATCHED_PATTERN;
  }

  private countHandled(args: { pattern: string; outcome: BusOutcome; started: number }): void {
    this.metrics.handledOne({
      service: this.opts.service,
      pattern: args.pattern,
      outcome: args.outcome,
      seconds: (performance.now() - args.started) / 1000,
    });
  }

  private deadLetter(delivery: Delivery, pattern: string, reason: string): Promise<void> {
    this.metrics.handledOne({ service: this.opts.service, pattern, outcome: 'dead_lettered' });
    return this.started.deadLetters.move(delivery, reason);
  }

  /**
   * Runs a Nest handler (guards, pipes, interceptors, filters included) in the message's
   * correlation context and in a consumer span continuing the sender's trace (bus-tracing.ts).
   */
  private invoke(
    handler: MessageHandler,
    envelope: Envelope,
    context: RedisStreamsContext,
  ): Promise<unknown> {
    const { data } = this.deserializer.deserialize({
      pattern: envelope.pattern,
      data: envelope.data,
    }) as { data: unknown };
    const span = {
      kind: envelope.kind,
      pattern: envelope.pattern,
      service: this.opts.service,
      stream: context.getStream(),
      messageId: context.getMessageId(),
      deliveries: context.getDeliveries(),
      carrier: { traceparent: envelope.traceparent, tracestate: envelope.tracestate },
    };
    return Correlation.run(envelope.correlationId, () =>
      withConsumerSpan(span, () =>
        new Promise<unknown>((resolve, reject) => {
          // Nest's hook decides when the handler runs; the default runs it at once.
          this.onProcessingStartHook(this.transportId, context, () => {
            const run = this.runHandler(handler, data, context);
            run.then(resolve, reject);
            return run;
          });
        }).finally(() => this.onProcessingEndHook?.(this.transportId, context)),
      ),
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
}

/** What travels back to the caller for any failure; BusExceptionFilter has made it a payload already. */
function replyErrorOf(error: unknown): BusErrorPayload {
  const payload = errorPayloadOf(error) ?? (isBusErrorPayload(error) ? error : undefined);
  // Only reachable without BusExceptionFilter (which logs with an error id); never leak internals.
  return payload ?? { status: 500, code: ErrorCode.INTERNAL, message: 'Internal error' };
}

function describeFailure(error: unknown): string {
  if (isBusErrorPayload(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
