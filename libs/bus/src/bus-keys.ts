import { targetServiceOf } from '@up/contracts';

/**
 * The Redis names of the bus. Every one starts with the deployment's key prefix, so two
 * deployments (or two test files) sharing a Redis never see each other's traffic.
 *
 * Every stream carries a hash tag (`{...}`, Redis Cluster hashes only what is inside) so that
 * what one command touches shares a slot, and so that services and events spread over the
 * shards of a Redis Cluster: a service's request stream and its dead letters share
 * `{bus:<service>}`; an event's stream and its dead letters share `{bus:evt:<event>}`.
 * WIRE NAMES: renaming them is a migration (libs/bus/README.md, "Redis layout").
 */
export class BusKeys {
  constructor(private readonly prefix: string) {}

  /** One request stream per service; its replicas share one consumer group on it. */
  requestStream(service: string): string {
    return `${this.prefix}:{bus:${service}}:req`;
  }

  requestStreamOf(pattern: string): string {
    return this.requestStream(targetServiceOf(pattern));
  }

  /** One stream per event name; each subscribing service has its own group on it. */
  eventStream(event: string): string {
    return `${this.prefix}:{bus:evt:${event}}`;
  }

  /**
   * Where a message of `stream` goes after failing too often: the stream's name + `:dlq`, in the
   * same slot (`up:{bus:users}:req:dlq`, `up:{bus:evt:member.updated}:dlq`).
   */
  deadLetterStream(stream: string): string {
    return `${stream}:dlq`;
  }

  /**
   * A stream's short name for logs and metric labels, without the prefix and the hash tag:
   * `req:users`, `evt:event.participant_joined`, `dlq:req:users`. A name the bus did not make is
   * returned as it is.
   */
  shortName(stream: string): string {
    const base = `${this.prefix}:`;
    if (!stream.startsWith(base)) return stream;
    const name = /^\{bus:(evt:[^}]+|[^}]+)\}(:req)?(:dlq)?$/.exec(stream.slice(base.length));
    if (!name) return stream;
    const [, tag, req, dlq] = name;
    const short = req ? `req:${tag}` : tag;
    return dlq ? `dlq:${short}` : short;
  }

  /**
   * The pub/sub channel on which one client instance of `party` receives its replies. The party
   * is part of the name so a Redis ACL can give each app its own channels (`&<prefix>:bus:reply:gateway:*`).
   * Channels have no slot (a PUBLISH reaches every node of a cluster).
   */
  replyChannel(party: string, instanceId: string): string {
    return `${this.prefix}:bus:reply:${party}:${instanceId}`;
  }
}
