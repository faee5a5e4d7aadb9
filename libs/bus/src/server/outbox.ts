import type { RedisClient } from '@up/config';
import { encodeSignedReplies, Reply } from '../envelope.codec';
import { writeInOneGo } from '../redis-connection';
import { ack, deleteEntries } from '../streams';

/**
 * Acks and replies leave in batches: everything finished within one turn of the event loop goes
 * out at the next `setImmediate` as one XACK per stream (with all its ids) and one PUBLISH per
 * reply channel (with all its replies), in one write (`writeInOneGo`). Under load this divides the
 * commands Redis runs per message by the batch size; alone, a message waits well under a
 * millisecond for it. Replies are written before acks, so an acknowledged request was answered.
 *
 * Entries of the streams `deletesAfterAck` names (the service's request stream, read by its group
 * only) are deleted with their ack (XACK then XDEL, in the same write): a request may carry a
 * password, and nothing secret stays at rest in Redis once it is handled. Event streams keep their
 * entries (other services' groups still read them; events carry no secrets) until MAXLEN trims them.
 */
export class Outbox {
  private acks = new Map<string, string[]>();
  private replies = new Map<string, Reply[]>();
  private pending?: Promise<void>;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: {
      group: string;
      deletesAfterAck: (stream: string) => boolean;
      /** Signs a reply message: who answers, and their MAC of it. */
      sign: (message: string) => { sender: string; signature: string };
    },
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
    const { group, deletesAfterAck, sign } = this.options;
    // One write, one round trip for all of them.
    writeInOneGo(this.redis);
    for (const [channel, list] of replies)
      writes.push(this.redis.publish(channel, encodeSignedReplies(list, sign)));
    for (const [stream, ids] of acks) {
      writes.push(ack(this.redis, { stream, group, ids }));
      // In the same write as the XACK: one round trip for both.
      if (deletesAfterAck(stream)) writes.push(deleteEntries(this.redis, { stream, ids }));
    }
    await Promise.all(writes);
  }
}
