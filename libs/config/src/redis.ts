import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';

/** A connection to the platform's Redis: one server, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** What decides how the platform reaches Redis (CommonEnv has both). */
export interface RedisTarget {
  REDIS_URL: string;
  /** `host:port,host:port,...`: set, every connection is a cluster connection. */
  REDIS_CLUSTER_NODES?: string;
}

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** A host name, an IPv4 address or a bracketed IPv6 one, then `:port`. */
const NODE = String.raw`\s*([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}\s*`;

/** `host:port,host:port` (the port is after the last colon). */
export const REDIS_CLUSTER_NODES_PATTERN = new RegExp(`^${NODE}(,${NODE})*$`);

export function parseRedisClusterNodes(value: string): RedisNodeAddress[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item) => {
      const at = item.lastIndexOf(':');
      return { host: item.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(item.slice(at + 1)) };
    });
}

export function isClusterClient(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/** Options that ioredis takes at the cluster level, not per node. */
const CLUSTER_LEVEL = [
  'lazyConnect',
  'enableOfflineQueue',
  'enableAutoPipelining',
  'autoPipeliningIgnoredCommands',
  'keyPrefix',
  'scripts',
] as const;

/**
 * Every ioredis client of the platform is made here, so `REDIS_CLUSTER_NODES` switches all of them
 * to Redis Cluster at once. `role` names the connection (`CLIENT SETNAME`, seen in `CLIENT LIST`).
 *
 * In cluster mode the nodes are the seed list (ioredis learns the others from `CLUSTER SLOTS`);
 * REDIS_URL's host and port are not used, but its user, password and `rediss://` (TLS) apply to
 * every node, so ACL users and TLS work the same with one server or a cluster. A per-node
 * `retryStrategy` becomes the cluster's retry strategy (reconnecting to the whole cluster).
 */
export function createRedis(
  target: RedisTarget,
  role: string,
  options: RedisOptions = {},
): RedisClient {
  const connectionName = options.connectionName ?? role;
  if (!target.REDIS_CLUSTER_NODES) {
    return new Redis(target.REDIS_URL, { ...options, connectionName });
  }
  const url = new URL(target.REDIS_URL);
  const { retryStrategy, ...rest } = options;
  const clusterLevel: Partial<ClusterOptions> = {};
  const nodeLevel: RedisOptions = { ...rest, connectionName };
  for (const name of CLUSTER_LEVEL) {
    if (name in nodeLevel) {
      Object.assign(clusterLevel, { [name]: nodeLevel[name as keyof RedisOptions] });
      delete nodeLevel[name as keyof RedisOptions];
    }
  }
  if (url.username) nodeLevel.username = decodeURIComponent(url.username);
  if (url.password) nodeLevel.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') nodeLevel.tls = nodeLevel.tls ?? {};
  return new Cluster(parseRedisClusterNodes(target.REDIS_CLUSTER_NODES), {
    ...clusterLevel,
    redisOptions: nodeLevel,
    clusterRetryStrategy: retryStrategy ?? ((attempt) => Math.min(100 * attempt, 2000)),
    // A primary that fails over answers CLUSTERDOWN / moves its slots for a moment: retry soon.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    // Fresh slots within seconds after a failover, even for a connection that sees no MOVED.
    slotsRefreshInterval: 2000,
  });
}
