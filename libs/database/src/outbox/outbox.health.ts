import type { ServiceHealthCheck } from '@up/health';
import { OutboxRelay } from './outbox-relay';

/** An unsent row older than this means the relay is stuck (or Redis has been away that long). */
export const OUTBOX_STUCK_AFTER_MS = 60_000;

/** The outbox's part of the service's health report: down while the oldest unsent row is too old. */
export function outboxHealthCheck(relay: OutboxRelay): ServiceHealthCheck {
  return {
    name: 'outbox',
    check: async () => {
      const { unsent, oldestAgeMs } = await relay.lag();
      const message = `${unsent} unsent, oldest ${Math.round(oldestAgeMs ?? 0)} ms`;
      const stuck = oldestAgeMs !== null && oldestAgeMs > OUTBOX_STUCK_AFTER_MS;
      return { status: stuck ? 'down' : 'up', message };
    },
  };
}
