import { allowedSendersOf, BusMessageKind } from '@up/contracts';
import { allowsDevelopmentDefaults, CommonEnv } from '@up/config';
import { BusKeyring } from './bus-keyring';

/** Who may send a pattern (default: the allow-lists declared in @up/contracts). */
export type BusAccessPolicy = (
  kind: BusMessageKind,
  pattern: string,
) => readonly string[] | undefined;

/** Everything the bus needs to know, resolved once from the validated configuration. */
export interface BusOptions {
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: set, every connection of the bus is a Redis Cluster one. */
  redisClusterNodes?: string;
  /** REDIS_KEY_PREFIX: every stream and channel of the bus lives under `${prefix}:bus:`. */
  prefix: string;
  requestTimeoutMs: number;
  /** This replica's name in the consumer groups (stable across restarts of one replica). */
  consumerName: string;
  claimIdleMs: number;
  maxDeliveries: number;
  /** MAXLEN ~ of event and dead-letter streams. */
  streamMaxLen: number;
  /** MAXLEN ~ of request streams (handled entries are deleted; this bounds unhandled ones). */
  requestStreamMaxLen: number;
  concurrency: number;
  /** close() waits at most this long for in-flight handlers before disconnecting anyway. */
  shutdownTimeoutMs: number;
  /** The party this app signs as (`gateway`, `users`, ...). */
  sender: string;
  /**
   * Tests only: the party to sign a message as, by pattern (a harness client speaking for whoever
   * may send it); needs that party's key in the keyring. Default: always `sender`.
   */
  senderOf?: (kind: BusMessageKind, pattern: string) => string;
  keyring: BusKeyring;
  access: BusAccessPolicy;
}

/** The bus options of the app `sender`, from its validated configuration. */
export function busOptionsFromConfig(config: CommonEnv, sender: string): BusOptions {
  return {
    redisUrl: config.REDIS_URL,
    redisClusterNodes: config.REDIS_CLUSTER_NODES,
    prefix: config.REDIS_KEY_PREFIX,
    requestTimeoutMs: config.BUS_REQUEST_TIMEOUT_MS,
    consumerName: config.BUS_CONSUMER_NAME,
    claimIdleMs: config.BUS_CLAIM_IDLE_MS,
    maxDeliveries: config.BUS_MAX_DELIVERIES,
    streamMaxLen: config.BUS_STREAM_MAXLEN,
    requestStreamMaxLen: config.BUS_REQUEST_STREAM_MAXLEN,
    concurrency: config.BUS_CONCURRENCY,
    // Leave a second of the process's shutdown budget for disconnecting and exiting.
    shutdownTimeoutMs: Math.max(1000, config.SHUTDOWN_TIMEOUT_SECONDS * 1000 - 1000),
    sender,
    keyring: keyringFromConfig(config, sender),
    access: allowedSendersOf,
  };
}

/**
 * BUS_SIGNING_KEY and BUS_TRUSTED_KEYS; in development and test, what is not set falls back to the
 * development keys (configuration validation requires both elsewhere).
 */
export function keyringFromConfig(config: CommonEnv, sender: string): BusKeyring {
  return new BusKeyring({
    own: config.BUS_SIGNING_KEY ? { [sender]: config.BUS_SIGNING_KEY } : {},
    trusted: config.BUS_TRUSTED_KEYS ?? {},
    developmentKeys: allowsDevelopmentDefaults(config.NODE_ENV),
  });
}
