import { targetServiceOf } from '@up/contracts';

/**
 * The Redis names of the bus. Every one starts with the deployment's key prefix, so two
 * deployments (or two test files) sharing a Redis never see each other's traffic.
 */
export class BusKeys {
  constructor(private readonly prefix: string) {}

  /** One request stream per service; its replicas share one consumer group on it. */
  requestStream(service: string): string {
    return `${this.prefix}:bus:req:${service}`;
  }

  requestStreamOf(pattern: string): string {
    return this.requestStream(targetServiceOf(pattern));
  }

  /** One stream per event name; each subscribing service has its own group on it. */
  eventStream(event: string): string {
    return `${this.prefix}:bus:evt:${event}`;
  }

  /** Where a message of `stream` goes after failing too often (`up:bus:dlq:req:users`). */
  deadLetterStream(stream: string): string {
    const base = `${this.prefix}:bus:`;
    const name = stream.startsWith(base) ? stream.slice(base.length) : stream;
    return `${this.prefix}:bus:dlq:${name}`;
  }

  /**
   * The pub/sub channel on which one client instance of `party` receives its replies. The party
   * is part of the name so a Redis ACL can give each app its own channels (`&<prefix>:bus:reply:gateway:*`).
   */
  replyChannel(party: string, instanceId: string): string {
    return `${this.prefix}:bus:reply:${party}:${instanceId}`;
  }
}
