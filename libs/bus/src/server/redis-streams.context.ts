import { BaseRpcContext } from '@nestjs/microservices';

type RedisStreamsContextArgs = [
  stream: string,
  id: string,
  pattern: string,
  deliveries: number,
  eventId?: string,
  occurredAt?: string,
];

/** What `@Ctx()` gives a bus handler: where its message came from and how often it was delivered. */
export class RedisStreamsContext extends BaseRpcContext<RedisStreamsContextArgs> {
  getStream(): string {
    return this.args[0];
  }

  getMessageId(): string {
    return this.args[1];
  }

  getPattern(): string {
    return this.args[2];
  }

  /** 1 on the first delivery; more when the entry was re-delivered after a failure or a crash. */
  getDeliveries(): number {
    return this.args[3];
  }

  /** An event's id, the same on every delivery of it (consumers deduplicate by it). */
  getEventId(): string | undefined {
    return this.args[4];
  }

  /** When an event's fact happened (ISO 8601). */
  getOccurredAt(): string | undefined {
    return this.args[5];
  }
}
