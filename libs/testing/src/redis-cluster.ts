import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort, RedisProcess } from './redis-process';

const run = promisify(execFile);

/** How long a silent primary takes to be declared failed; short, so a failover takes seconds. */
const NODE_TIMEOUT_MS = 1000;

interface ClusterNode {
  process: RedisProcess;
  port: number;
}

/**
 * A throwaway Redis Cluster of the test's own: `primaries` redis-server processes in cluster mode
 * on spare local ports, joined with `redis-cli --cluster create` (no replicas), each node's
 * `nodes.conf` in a temporary directory. `addReplicas()` gives every primary a replica, so that
 * killing a primary fails over to it. Nothing persists; `stop()` kills every process.
 */
export class RedisCluster {
  private readonly nodes: ClusterNode[] = [];
  private dir = '';

  /** REDIS_CLUSTER_NODES for the apps: every node started so far. */
  get nodesSetting(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** A REDIS_URL (its host is not used in cluster mode, but it must be valid). */
  get url(): string {
    return `redis://127.0.0.1:${this.nodes[0].port}`;
  }

  async start(primaries = 3): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'up-redis-cluster-'));
    for (let i = 0; i < primaries; i++) await this.startNode();
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await this.waitUntilHealthy();
  }

  /** One replica per current primary (`redis-cli --cluster add-node --cluster-slave`), in sync. */
  async addReplicas(): Promise<void> {
    const primaries = await this.primaries();
    for (const primary of primaries) {
      const replica = await this.startNode();
      await run('redis-cli', [
        '--cluster',
        'add-node',
        `127.0.0.1:${replica.port}`,
        `127.0.0.1:${primary.port}`,
        '--cluster-slave',
        '--cluster-master-id',
        primary.id,
      ]);
    }
    await this.waitFor(async () => {
      const links = await Promise.all(
        this.nodes.map((node) => this.command(node.port, ['INFO', 'replication'])),
      );
      const replicas = links.filter((info) => String(info).includes('role:slave'));
      return (
        replicas.length === primaries.length &&
        replicas.every((info) => String(info).includes('master_link_status:up'))
      );
    });
    await this.waitUntilHealthy();
  }

  /** The primaries now, with their node ids and the slot ranges they serve. */
  async primaries(): Promise<Array<{ id: string; port: number; slots: Array<[number, number]> }>> {
    const raw = (await this.command(this.liveNodes()[0].port, ['CLUSTER', 'SHARDS'])) as unknown[];
    const result: Array<{ id: string; port: number; slots: Array<[number, number]> }> = [];
    for (const shard of raw) {
      const fields = toObject(shard as unknown[]);
      const slots = (fields.slots as number[]) ?? [];
      const ranges: Array<[number, number]> = [];
      for (let i = 0; i + 1 < slots.length; i += 2) ranges.push([slots[i], slots[i + 1]]);
      for (const node of fields.nodes as unknown[][]) {
        const info = toObject(node);
        if (info.role === 'master' && info.health === 'online') {
          result.push({ id: String(info.id), port: Number(info.port), slots: ranges });
        }
      }
    }
    return result;
  }

  /** The port of the primary serving `key`'s slot. */
  async primaryOf(key: string): Promise<number> {
    const port = this.liveNodes()[0].port;
    const slot = Number(await this.command(port, ['CLUSTER', 'KEYSLOT', key]));
    const owner = (await this.primaries()).find((p) =>
      p.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!owner) throw new Error(`No primary serves slot ${slot}`);
    return owner.port;
  }

  /** SIGKILL of one node's process, as a crash. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`No node on port ${port}`);
    await node.process.kill();
    this.nodes.splice(this.nodes.indexOf(node), 1);
  }

  /** Resolves once every live node says `cluster_state:ok` and agrees on a primary per slot. */
  async waitUntilHealthy(timeoutMs = 20_000): Promise<void> {
    await this.waitFor(async () => {
      const states = await Promise.all(
        this.liveNodes().map((node) => this.command(node.port, ['CLUSTER', 'INFO'])),
      );
      return states.every((state) => String(state).includes('cluster_state:ok'));
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.process.kill()));
    this.nodes.length = 0;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  private liveNodes(): ClusterNode[] {
    return this.nodes;
  }

  private async startNode(): Promise<ClusterNode> {
    const port = await freePort();
    const process = new RedisProcess(port, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(this.dir, `nodes-${port}.conf`),
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      '--dir',
      this.dir,
    ]);
    await process.start();
    const node = { process, port };
    this.nodes.push(node);
    return node;
  }

  /** One command to one node, on a short-lived connection. */
  private async command(port: number, args: [string, ...string[]]): Promise<unknown> {
    const redis = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await redis.call(...args);
    } finally {
      redis.disconnect();
    }
  }

  private async waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      const ok = await condition().catch(() => false);
      if (ok) return;
      if (Date.now() - started > timeoutMs) throw new Error('Redis Cluster did not settle');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A RESP map given as a flat [name, value, ...] list. */
function toObject(list: unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) result[String(list[i])] = list[i + 1];
  return result;
}
