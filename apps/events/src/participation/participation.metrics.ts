import { errorPayloadOf } from '@up/contracts';
import { counterOnce } from '@up/health';

export const JOINS_METRIC = 'events_joins_total';
export const WAITLIST_PROMOTIONS_METRIC = 'events_waitlist_promotions_total';

const joins = counterOnce({
  name: JOINS_METRIC,
  help: 'Event joins by outcome: ok, the error code of a refusal (EVENT_FULL, INSUFFICIENT_COINS, ...), or error',
  labelNames: ['outcome'],
});

const promotions = counterOnce({
  name: WAITLIST_PROMOTIONS_METRIC,
  help: 'Waitlisted members who got a seat (committed promotions)',
});

/**
 * Runs a join and counts how it ended. A refusal is labelled by its error code: the codes are a
 * fixed set (@up/contracts ErrorCode), so the label stays bounded.
 */
export async function countJoin<T>(join: () => Promise<T>): Promise<T> {
  try {
    const result = await join();
    joins.inc({ outcome: 'ok' });
    return result;
  } catch (error) {
    joins.inc({ outcome: errorPayloadOf(error)?.code ?? 'error' });
    throw error;
  }
}

export function countWaitlistPromotion(): void {
  promotions.inc();
}
