import type { RedisOptions } from 'ioredis';
import { createRedis, isClusterClient, RedisClient } from '@up/config';

export type ConnectionRole = 'commands' | 'reader' | 'replies';

/**
 * One ioredis connection of the bus. Blocking reads get a connection of their own (a blocked
 * connection cannot run anything else). The XADDs, XACKs and PUBLISHes issued in one tick leave
 * in one write: on one Redis the bus corks the socket until the next tick (`writeInOneGo`); on a
 * Redis Cluster, whose connection has one socket per node, ioredis's auto-pipelining does it.
 * ioredis reconnects forever with a capped backoff, resends unanswered commands and resubscribes
 * channels, which is what lets the bus ride out a Redis restart without restarting the process.
 */
export function createRedisConnection(args: {
  url: string;
  /** REDIS_CLUSTER_NODES: set, the connection is a Redis Cluster one. */
  clusterNodes?: string;
  role: ConnectionRole;
  name: string;
  extra?: RedisOptions;
}): RedisClient {
  const { url, clusterNodes, role, name, extra } = args;
  return createRedis({ REDIS_URL: url, REDIS_CLUSTER_NODES: clusterNodes }, `bus:${role}:${name}`, {
    lazyConnect: true,
    // Auto-pipelining costs a pipeline, a promise and a callback per command, and sends a batch
    // only once the previous one is answered; a corked socket costs nothing of that.
    enableAutoPipelining: role === 'commands' && clusterNodes !== undefined,
    // ioredis does not know where XGROUP's key is (after the subcommand): auto-pipelined on a
    // cluster it would go, in a pipeline, to the node of "CREATE"'s slot. Alone, it follows MOVED.
    autoPipeliningIgnoredCommands: ['xgroup', 'XGROUP'],
    // A blocked read waits for the reconnection instead of failing: the reading loop has nothing
    // better to do meanwhile. Commands fail after a few retries so that acks or replies never
    // pile up unboundedly while Redis is away.
    maxRetriesPerRequest: role === 'reader' ? null : 3,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
    ...extra,
  });
}

const corked = new WeakSet<object>();

/**
 * Holds what is written to `redis` in this tick (this run of the event loop's microtasks) and
 * sends it in one write at the next tick: one syscall, and one packet for Redis to read, for the
 * commands of a whole batch of requests, replies or acks. On a cluster connection, auto-pipelining
 * does this (see createRedisConnection). Order is kept: a corked socket writes in order.
 */
export function writeInOneGo(redis: RedisClient): void {
  if (isClusterClient(redis)) return;
  const socket = redis.stream;
  if (!socket || socket.destroyed || corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}

/** Connect a lazily created connection; harmless when ioredis already connects by itself. */
export async function ensureConnected(redis: RedisClient): Promise<void> {
  if (redis.status === 'wait' || redis.status === 'end') {
    await redis.connect();
  }
}

export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

export function isBusyGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when `promise` settles within `ms`, false otherwise; never leaves a timer behind. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Drops a connection at once. Only once: ioredis arms a 2 s "force close" timer on every
 * disconnect(), and on an already closed socket nothing ever clears it.
 */
export function disconnectNow(redis: RedisClient | undefined): void {
  if (redis && redis.status !== 'end') redis.disconnect();
}
