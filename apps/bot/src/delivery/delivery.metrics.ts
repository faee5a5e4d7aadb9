import { Counter, register } from 'prom-client';
import type { DeliveryOutcome } from './delivery.types';

export const MESSAGES_METRIC = 'bot_messages_total';

/**
 * `bot_messages_total{kind, outcome}`: every send attempt's outcome by message kind (a bounded
 * set: the notification kinds). In prom-client's global registry, shared by every queue instance of
 * the process (tests run several), hence the lookup before creating it.
 */
function messagesCounter(): Counter<'kind' | 'outcome'> {
  const existing = register.getSingleMetric(MESSAGES_METRIC);
  if (existing) return existing as Counter<'kind' | 'outcome'>;
  return new Counter({
    name: MESSAGES_METRIC,
    help: 'Messages the bot sent on its own, by kind and outcome (sent, failed, blocked, retried, rate_limited, reclaimed, uncertain)',
    labelNames: ['kind', 'outcome'],
  });
}

export class DeliveryMetrics {
  private readonly messages = messagesCounter();

  count(kind: string, outcome: DeliveryOutcome): void {
    this.messages.inc({ kind, outcome });
  }

  /** The current count, for tests and the bench. */
  async valueOf(kind: string, outcome: DeliveryOutcome): Promise<number> {
    const { values } = await this.messages.get();
    return values.find((v) => v.labels.kind === kind && v.labels.outcome === outcome)?.value ?? 0;
  }
}
