import type Redis from 'ioredis';
import { encodeReplies, Reply } from '../envelope.codec';
import { ack } from '../streams';

/**
 * Acks and replies leave in batches: everything finished within one turn of the event loop goes
 * out at the next `setImmediate` as one XACK per stream (with all its ids) and one PUBLISH per
 * reply channel (with all its replies), in one pipelined write. Under load this divides the
 * commands Redis runs per message by the batch size; alone, a message waits well under a
 * millisecond for it. Replies are written before acks, so an acknowledged request was answered.
 */
export class Outbox {
  private acks = new Map<string, string[]>();
  private replies = new Map<string, Reply[]>();
  private pending?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly group: string,
  ) {}

  ack(stream: string, id: string): Promise<void> {
    const ids = this.acks.get(stream);
    if (ids) ids.push(id);
    else this.acks.set(stream, [id]);
    return this.schedule();
  }

  reply(channel: string, reply: Reply): Promise<void> {
    const list = this.replies.get(channel);
    if (list) list.push(reply);
    else this.replies.set(channel, [reply]);
    return this.schedule();
  }

  private schedule(): Promise<void> {
    this.pending ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pending = undefined;
        this.flush().then(resolve, reject);
      });
    });
    return this.pending;
  }

  private async flush(): Promise<void> {
    const { acks, replies } = this;
    this.acks = new Map();
    this.replies = new Map();
    const writes: Array<Promise<unknown>> = [];
    for (const [channel, list] of replies)
      writes.push(this.redis.publish(channel, encodeReplies(list)));
    for (const [stream, ids] of acks)
      writes.push(ack(this.redis, { stream, group: this.group, ids }));
    await Promise.all(writes);
  }
}
