import type { OutboxLag } from './outbox.repository';
import type { OutboxRelay } from './outbox-relay';
import { outboxHealthCheck, OUTBOX_STUCK_AFTER_MS } from './outbox.health';

function relayWith(lag: OutboxLag): OutboxRelay {
  return { lag: () => Promise.resolve(lag) } as unknown as OutboxRelay;
}

describe(outboxHealthCheck.name, () => {
  it('is up with the lag in its message while rows go out', async () => {
    await expect(
      outboxHealthCheck(relayWith({ unsent: 0, oldestAgeMs: null })).check(),
    ).resolves.toEqual({ status: 'up', message: '0 unsent, oldest 0 ms' });
    await expect(
      outboxHealthCheck(relayWith({ unsent: 3, oldestAgeMs: 1234.4 })).check(),
    ).resolves.toEqual({ status: 'up', message: '3 unsent, oldest 1234 ms' });
  });

  it('is down once the oldest unsent row is older than the limit', async () => {
    await expect(
      outboxHealthCheck(relayWith({ unsent: 1, oldestAgeMs: OUTBOX_STUCK_AFTER_MS + 1 })).check(),
    ).resolves.toMatchObject({ status: 'down' });
  });
});
