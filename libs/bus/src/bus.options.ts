import { CommonEnv } from '@up/config';

/** Everything the bus needs to know, resolved once from the validated configuration. */
export interface BusOptions {
  redisUrl: string;
  /** REDIS_KEY_PREFIX: every stream and channel of the bus lives under `${prefix}:bus:`. */
  prefix: string;
  requestTimeoutMs: number;
  /** This replica's name in the consumer groups (stable across restarts of one replica). */
  consumerName: string;
  claimIdleMs: number;
  maxDeliveries: number;
  streamMaxLen: number;
  concurrency: number;
  /** close() waits at most this long for in-flight handlers before disconnecting anyway. */
  shutdownTimeoutMs: number;
}

export function busOptionsFromConfig(config: CommonEnv): BusOptions {
  return {
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_KEY_PREFIX,
    requestTimeoutMs: config.BUS_REQUEST_TIMEOUT_MS,
    consumerName: config.BUS_CONSUMER_NAME,
    claimIdleMs: config.BUS_CLAIM_IDLE_MS,
    maxDeliveries: config.BUS_MAX_DELIVERIES,
    streamMaxLen: config.BUS_STREAM_MAXLEN,
    concurrency: config.BUS_CONCURRENCY,
    // Leave a second of the process's shutdown budget for disconnecting and exiting.
    shutdownTimeoutMs: Math.max(1000, config.SHUTDOWN_TIMEOUT_SECONDS * 1000 - 1000),
  };
}
