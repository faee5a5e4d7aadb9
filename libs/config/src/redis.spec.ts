import { Cluster } from 'ioredis';
import { CommonEnv } from './common-env';
import { ConfigError, loadConfig } from './load-config';
import { createRedis, isClusterClient, parseRedisClusterNodes } from './redis';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(CommonEnv, { NODE_ENV: 'test', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('REDIS_CLUSTER_NODES', () => {
  it('takes host:port pairs separated by commas, and nothing else', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis-0:6379, redis-1:6379,10.0.0.7:7000' })).toEqual(
      [],
    );
    for (const bad of ['redis-0', 'redis-0:6379,', 'redis://redis-0:6379', 'a:1;b:2']) {
      expect(problemsOf({ REDIS_CLUSTER_NODES: bad })).toEqual([
        expect.stringContaining('REDIS_CLUSTER_NODES must be host:port pairs'),
      ]);
    }
  });

  it('parses into the seed nodes', () => {
    expect(parseRedisClusterNodes('redis-0:6379, 10.0.0.7:7000')).toEqual([
      { host: 'redis-0', port: 6379 },
      { host: '10.0.0.7', port: 7000 },
    ]);
  });
});

describe(createRedis.name, () => {
  it('makes a cluster client when nodes are set, carrying REDIS_URL credentials and TLS', () => {
    const sut = createRedis(
      {
        REDIS_URL: 'rediss://app:s%40cret@ignored:1',
        REDIS_CLUSTER_NODES: '127.0.0.1:7000',
      },
      'test',
      { lazyConnect: true, keyPrefix: 'p:' },
    );
    expect(isClusterClient(sut)).toBe(true);
    const options = (sut as Cluster).options;
    expect(options.lazyConnect).toBe(true);
    expect(options.keyPrefix).toBe('p:');
    expect(options.redisOptions).toMatchObject({
      username: 'app',
      password: 's@cret',
      tls: {},
      connectionName: 'test',
    });
    sut.disconnect();
  });

  it('makes a plain client otherwise', () => {
    const sut = createRedis({ REDIS_URL: 'redis://127.0.0.1:1' }, 'test', { lazyConnect: true });
    expect(isClusterClient(sut)).toBe(false);
    sut.disconnect();
  });
});
