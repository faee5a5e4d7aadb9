import { LoggerService } from '@nestjs/common';
import type { RedisClient } from '@up/config';
import { BusKeys } from '../bus-keys';
import { redactEntryFields } from '../envelope.codec';
import { addBounded } from '../streams';
import { Delivery } from './delivery';
import { Outbox } from './outbox';

export interface DeadLettersOptions {
  commands: RedisClient;
  keys: BusKeys;
  /** The consumer group (the service) that gave up on the entry. */
  group: string;
  streamMaxLen: number;
  outbox: Outbox;
  logger: LoggerService;
}

/**
 * Where an entry goes that cannot be handled (undecodable, or failed maxDeliveries times): a copy
 * with the reason on the stream's dead-letter stream, then acknowledged, so it stops coming back
 * and someone can look at it. The copy has its secret fields (@Secret() in the contracts) replaced
 * by "[redacted]": dead letters stay in Redis for a long time.
 */
export class DeadLetters {
  constructor(private readonly options: DeadLettersOptions) {}

  async move(delivery: Delivery, reason: string): Promise<void> {
    const { commands, keys, group, streamMaxLen, outbox, logger } = this.options;
    const stream = keys.deadLetterStream(delivery.stream);
    logger.error(`Bus moved ${delivery.stream} ${delivery.id} to ${stream}: ${reason}`);
    await addBounded(commands, {
      stream,
      maxLen: streamMaxLen,
      fields: [
        ...redactEntryFields(delivery.fields ?? []),
        'dlq_reason',
        reason,
        'dlq_stream',
        delivery.stream,
        'dlq_id',
        delivery.id,
        'dlq_group',
        group,
        'dlq_deliveries',
        String(delivery.deliveries),
        'dlq_at',
        new Date().toISOString(),
      ],
    });
    await outbox.ack(delivery.stream, delivery.id);
  }
}
